"""Node facts: vCPU, memory, architecture and max pods per EC2 instance type (from Karpenter's reference)."""
