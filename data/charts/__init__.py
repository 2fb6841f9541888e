"""Chart facts: value paths, workloads and defaults of each Helm chart at its pinned tag."""
