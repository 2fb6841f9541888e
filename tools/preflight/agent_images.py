"""LangSmith Deployment's image repository (`langsmith.deployments.enabled`): its name is free in the
account, so that `pulumi up` does not fail at the end with RepositoryAlreadyExistsException, and the
account's ECR repository quota has room for it."""

from __future__ import annotations

from components.agent_images import repository_name
from settings import Shape
from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import error_code, one_line


def check_agent_image_repository(ctx: Context) -> Checks:
    checks = Checks()
    app = ctx.settings.langsmith
    if ctx.settings.shape is not Shape.SELF_HOSTED or app is None or not app.deployments.enabled:
        return checks
    name = repository_name(ctx.settings.name_prefix)
    label = "ECR repository for agent images (langsmith.deployments)"
    try:
        found = ctx.client("ecr").describe_repositories(repositoryNames=[name])["repositories"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) == "RepositoryNotFoundException":
            checks.add(label, PASS, f"{name} is free; the stack creates it (scan on push, immutable tags)")
        else:
            checks.add(label, UNCHECKED, f"ecr:DescribeRepositories {name}: {one_line(exc)}")
        return checks
    if found:
        checks.add(label, FAIL, f"a repository {name} already exists in this account and region; creating it "
                                "would fail with RepositoryAlreadyExistsException",
                   f"import it (pulumi import aws:ecr/repository:Repository agent-images-repository {name}), "
                   "delete it, or choose another namePrefix")
    return checks
