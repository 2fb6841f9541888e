"""The command-line tools a deploy needs on this machine (pulumi; the AWS CLI for the kubeconfig)."""

from __future__ import annotations

from settings import Shape
from tools.preflight.context import FAIL, PASS, WARN, Checks, Context


def check_clis(ctx: Context) -> Checks:
    """The commands a deploy runs are on PATH: pulumi, and the AWS CLI the kubeconfig calls."""
    checks = Checks()
    needed = [("pulumi", "runs the deploy: https://www.pulumi.com/docs/install/")]
    if ctx.settings.shape is not Shape.BYOC:
        needed.append(("aws", "the kubeconfig calls `aws eks get-token`: install the AWS CLI v2"))
    missing = [f"{cli} ({why})" for cli, why in needed if ctx.which(cli) is None]
    if missing:
        checks.add("deploy tools", FAIL, f"not on PATH: {', '.join(c for c, _ in needed if ctx.which(c) is None)}",
                   "; ".join(missing))
    else:
        checks.add("deploy tools", PASS, ", ".join(f"{c} at {ctx.which(c)}" for c, _ in needed))
    if ctx.settings.shape is not Shape.BYOC:
        if ctx.which("kubectl") is None:
            checks.add("kubectl (optional)", WARN, "not on PATH: not needed to deploy, handy to operate")
        else:
            checks.add("kubectl (optional)", PASS, f"at {ctx.which('kubectl')}")
    return checks
