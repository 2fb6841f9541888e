"""Who the deploy runs as, and whether it may: the caller's identity (and that it is not listed as a
second cluster admin), and a sample of the deploy's actions through the IAM policy simulator."""

from __future__ import annotations

from settings import Shape
from settings.identity import principal_arn, role_name
from settings.loader import creator_conflicts
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Checks, Context
from tools.preflight.errors import one_line

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
        # As the program compares (settings.loader.creator_conflicts): the same role whatever path
        # the listed ARN spells (an SSO role lives under /aws-reserved/sso.amazonaws.com/).
        listed = [str(issue.value) for issue in creator_conflicts(ctx.settings, arn)]
        if listed:
            checks.add("cluster creator not listed as admin", FAIL,
                       f"cluster.adminRoleArns lists {', '.join(listed)}, the role running pulumi ({principal}): "
                       "EKS already gives the cluster creator an admin access entry and a second one fails "
                       "cluster creation",
                       f"remove {', '.join(listed)} from cluster.adminRoleArns (it stays cluster admin as the creator)")
        else:
            checks.add("cluster creator not listed as admin", PASS,
                       "the caller is not in cluster.adminRoleArns (it becomes admin as the cluster creator)")
    return principal, checks


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
