"""The CRDs of pinned charts that Helm installs from `crds/` only once: which charts, and the CRDs at each pin."""
