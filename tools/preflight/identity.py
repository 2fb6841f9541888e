"""Who the deploy runs as, and whether it may: the caller's identity, that cluster.adminRoleArns does
not list the cluster's creator (the caller when the cluster is about to be created, the holder of
the entry made with the cluster once it exists), that the caller can reach an existing cluster's
API, and a sample of the deploy's actions through the IAM policy simulator."""

from __future__ import annotations

from settings import Shape
from datetime import datetime
from typing import Any

from settings.identity import ExistingCluster, has_entry, principal_arn, role_name, same_principal
from settings.loader import creator_conflicts
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Checks, Context
from tools.preflight.errors import error_code, one_line

CREATOR_CHECK = "cluster creator not listed as admin"
ACCESS_CHECK = "caller has access to the existing cluster"
HANDOVER_DOC = "docs/ci.md, \"A runner inside the VPC\""

# A sample of what a deploy does, simulated for the caller when the IAM policy simulator answers.
DEPLOY_ACTIONS_SAMPLE = (
    "ec2:CreateVpc", "ec2:CreateNatGateway", "eks:CreateCluster", "eks:CreateNodegroup", "iam:CreateRole",
    "iam:PassRole", "kms:CreateKey", "s3:CreateBucket", "secretsmanager:CreateSecret", "logs:CreateLogGroup",
)
SELF_HOSTED_ACTIONS_SAMPLE = (
    "rds:CreateDBInstance", "elasticache:CreateReplicationGroup", "elasticloadbalancing:CreateLoadBalancer",
    "wafv2:CreateWebACL", "acm:RequestCertificate", "route53:ChangeResourceRecordSets", "backup:CreateBackupVault",
)


def check_identity(ctx: Context) -> tuple[str | None, Checks]:
    """Who runs the deploy (the principal, with its role path), and that it is not listed as a second admin."""
    checks = Checks()
    try:
        arn = str(ctx.client("sts").get_caller_identity()["Arn"])
    except Exception as exc:  # noqa: BLE001 - no credentials, expired token, no network: all say the same
        checks.add("caller identity", FAIL, f"sts:GetCallerIdentity failed: {one_line(exc)}",
                   "configure AWS credentials for the target account (aws sts get-caller-identity must answer)")
        return None, checks
    principal = principal_arn(arn)
    if principal != arn:
        try:  # the session ARN omits the role's path; the access entry names the role with it
            role = ctx.client("iam").get_role(RoleName=role_name(principal))["Role"]
            principal = principal_arn(arn, str(role.get("Path", "/")))
        except Exception:  # noqa: BLE001 - reading the role is a nicety; the path is usually "/"
            pass
    checks.add("caller identity", PASS, f"{arn} (principal {principal})")
    if ctx.settings.shape is not Shape.BYOC:
        checks += check_cluster_admins(ctx, principal)
    return principal, checks


def read_cluster(ctx: Context, principals: list[str]) -> tuple[ExistingCluster | None, str | None]:
    """The stack's cluster (None: not created yet) with its access entries, each dated when it is one
    of `principals`; or why it could not be read (the second item)."""
    eks = ctx.client("eks")
    name = ctx.settings.cluster_name
    try:
        created = eks.describe_cluster(name=name)["cluster"]["createdAt"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) == "ResourceNotFoundException":
            return None, None
        return None, f"eks:DescribeCluster {name}: {one_line(exc)}"
    try:
        listed = [str(a) for a in ctx.every("eks", "list_access_entries", "accessEntries", clusterName=name)]
    except Exception as exc:  # noqa: BLE001 - moto 5.2.5 serves no access entries; a role may lack the read
        return ExistingCluster(name, created, None), f"eks:ListAccessEntries {name}: {one_line(exc)}"
    entries: dict[str, datetime | None] = {}
    for arn in listed:
        made: datetime | None = None
        if any(same_principal(arn, p) for p in principals):
            try:
                entry: dict[str, Any] = eks.describe_access_entry(clusterName=name, principalArn=arn)["accessEntry"]
                made = entry.get("createdAt")
            except Exception:  # noqa: BLE001 - undated: not taken for the creator's
                made = None
        entries[arn] = made
    return ExistingCluster(name, created, entries), None


def check_cluster_admins(ctx: Context, principal: str) -> Checks:
    """cluster.adminRoleArns against the cluster's creator, and the caller's access to an existing cluster.

    The first `pulumi up` creates the cluster as the caller, so the caller must not be listed; on a
    later run (the in-VPC runner's handover) the creator is whoever holds the entry made with the
    cluster, and the caller needs an entry of its own (as creator, or one the stack made)."""
    checks = Checks()
    listed = list(ctx.settings.cluster.admin_role_arns)
    cluster, unread = read_cluster(ctx, [*listed, principal])
    name = ctx.settings.cluster_name
    if unread is not None and cluster is None:  # not even whether it exists
        caller_listed = [a for a in listed if same_principal(a, principal)]
        detail = f"could not tell whether cluster {name} exists ({unread})"
        if caller_listed:
            detail += (f"; cluster.adminRoleArns lists {', '.join(caller_listed)}, the caller: that fails if this "
                       "run creates the cluster")
        checks.add(CREATOR_CHECK, UNCHECKED, detail)
        return checks
    if cluster is None:  # this run creates it: the caller is the creator
        conflicts = creator_conflicts(ctx.settings, principal)
        if conflicts:
            keys = ", ".join(f"{c.key} = {c.value}" for c in conflicts)
            checks.add(CREATOR_CHECK, FAIL,
                       f"{keys}: cluster {name} does not exist yet, and the role running pulumi ({principal}) "
                       "creates it: EKS already gives the cluster creator an admin access entry and a second "
                       "one fails cluster creation",
                       f"remove {', '.join(str(c.value) for c in conflicts)} from cluster.adminRoleArns "
                       "(it stays cluster admin as the creator)")
        else:
            checks.add(CREATOR_CHECK, PASS, f"cluster {name} does not exist yet: the caller creates it and becomes "
                       "admin as its creator, and cluster.adminRoleArns does not list it")
        return checks
    if cluster.entries is None:
        checks.add(CREATOR_CHECK, UNCHECKED,
                   f"cluster {name} exists, but its access entries could not be read ({unread}): not checked "
                   "whether cluster.adminRoleArns lists its creator, nor whether the caller has access")
        return checks
    conflicts = creator_conflicts(ctx.settings, principal, cluster)
    if conflicts:
        checks.add(CREATOR_CHECK, FAIL, "; ".join(f"{c.key} = {c.value} {c.allowed}" for c in conflicts),
                   f"remove {', '.join(str(c.value) for c in conflicts)} from cluster.adminRoleArns (it stays "
                   f"cluster admin as the creator; {HANDOVER_DOC})")
    else:
        checks.add(CREATOR_CHECK, PASS, f"cluster {name} exists; cluster.adminRoleArns does not list the principal "
                   "whose access entry was made with it")
    caller_listed = any(same_principal(a, principal) for a in listed)
    if has_entry(cluster, principal):
        checks.add(ACCESS_CHECK, PASS, f"{principal} has an access entry on {name}")
    elif caller_listed:
        checks.add(ACCESS_CHECK, WARN,
                   f"{principal} is in cluster.adminRoleArns but has no access entry on {name} yet: this run makes "
                   "it, and the Kubernetes changes may be refused until it exists",
                   "deploy once as a principal that already has access (the creator), then from this one")
    else:
        checks.add(ACCESS_CHECK, FAIL,
                   f"{principal} has no access entry on {name}: pulumi could not reach the Kubernetes API",
                   f"run pulumi as the role that created the cluster ({HANDOVER_DOC}), or have it add "
                   f"{principal} to cluster.adminRoleArns and deploy once")
    return checks


def check_permissions(ctx: Context, principal: str) -> Checks:
    """A sample of what the deploy does, run through the IAM policy simulator for the principal."""
    checks = Checks()
    actions: list[str] = [a for a in DEPLOY_ACTIONS_SAMPLE
                          if ctx.settings.shape is not Shape.BYOC or not a.startswith("eks:")]
    if ctx.settings.shape in (Shape.SELF_HOSTED, Shape.AGENT_SERVER):
        actions.extend(SELF_HOSTED_ACTIONS_SAMPLE)
    if ctx.settings.shape is Shape.AGENT_SERVER:
        actions.append("ecr:CreateRepository")
    if ":root" in principal:
        checks.add("deploy permissions", WARN, "the caller is the account root user: it may deploy, but should not",
                   "deploy with a role carrying iam/deployer-policy-part-*.json")
        return checks
    try:
        results = ctx.client("iam").simulate_principal_policy(
            PolicySourceArn=principal, ActionNames=actions)["EvaluationResults"]
    except Exception as exc:  # noqa: BLE001
        checks.add("deploy permissions", UNCHECKED,
                   f"the IAM policy simulator did not answer ({one_line(exc)}); not checked: whether {principal} may "
                   f"{', '.join(actions[:3])}, ...")
        return checks
    denied = {str(r["EvalActionName"]): str(r["EvalDecision"]) for r in results if r["EvalDecision"] != "allowed"}
    explicit = sorted(a for a, d in denied.items() if d == "explicitDeny")
    if explicit:
        checks.add("deploy permissions", FAIL, f"explicitly denied: {', '.join(explicit)}",
                   "lift the deny (an SCP or permissions boundary) or deploy with another role")
    elif denied:
        checks.add("deploy permissions", WARN,
                   f"not allowed on every resource: {', '.join(sorted(denied))} (fine if the policy scopes them "
                   "to the stack's name prefix, as iam/deployer-policy.json does)",
                   "attach iam/deployer-policy-part-*.json to the deploying role (README: the deployer policy)")
    else:
        checks.add("deploy permissions", PASS, f"{len(actions)} sampled deploy actions allowed")
    return checks
