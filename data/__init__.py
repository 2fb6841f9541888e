"""Data we derive from upstream sources, each dataset in a folder beside the generator that refreshes
it (`python -m data.<topic>.generate`); data/README.md lists them with their sources and dates.
The program and the checks read the files (settings/, components/); nothing here runs at deploy time."""
