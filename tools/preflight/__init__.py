"""Preflight: what only the AWS account can tell, checked before the first `pulumi up`
(`python -m tools.preflight --stack NAME`, the command in `__main__.py`).

Each check is a function of a `Context` (settings, stack file, AWS session) returning its lines:

- `identity`: the caller, not listed as a second cluster admin; deploy permissions (IAM simulator).
- `region`: the region is enabled; the availability zones the stack will use.
- `versions`: EKS offers the pinned Kubernetes and add-on versions.
- `restore`: the restore snapshots exist, are ready, and fit the config.
- `dns`: the hosted zone exists, is public, and holds the domain.
- `instances`: each node pool's instance types are offered in its zones.
- `quotas`: VPCs, gateways, Elastic IPs, NAT per AZ, EKS, ALBs and Standard vCPUs against the plan's `needs`.
- `network`: an existing VPC's subnets and routes; reaching the Kubernetes API from here.
- `secrets_and_placeholders`: secrets set, no documentation value left in the stack file.
- `clis`: pulumi and the AWS CLI on PATH.

`runner` runs them in the checklist's order; `session` makes the boto3 session `pulumi up` will be.
"""
