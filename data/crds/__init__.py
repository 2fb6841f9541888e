"""CRD data: the LangGraph operator's CRD the hybrid shape installs, and the schemas of every custom resource kind."""
