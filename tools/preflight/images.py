"""Agent Server images: each server's image is in its ECR repository before `pulumi up` installs it.

The release waits for its pods; an image that is not there leaves them in ImagePullBackOff until
Helm's timeout fails the update. The repositories are the stack's own (`<namePrefix>/<name>`): on a
first deploy they do not exist yet, so a server's `image` is left unset until its image is pushed.
"""

from __future__ import annotations

from settings import Shape
from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import error_code, one_line


def check_server_images(ctx: Context) -> Checks:
    checks = Checks()
    s = ctx.settings
    if s.shape is not Shape.AGENT_SERVER:
        return checks
    for i, server in enumerate(s.agent_server.servers):
        if server.image is None:
            continue
        repository = f"{s.name_prefix}/{server.name}"
        name = f"image (agentServer.servers[{i}].image)"
        try:
            ctx.client("ecr").describe_images(repositoryName=repository, imageIds=[{"imageTag": server.image}])
        except Exception as exc:  # noqa: BLE001
            code = error_code(exc)
            if code in ("RepositoryNotFoundException", "ImageNotFoundException"):
                missing = "the repository does not exist yet" if code == "RepositoryNotFoundException" \
                    else f"no image tagged {server.image}"
                checks.add(name, FAIL, f"{repository}:{server.image}: {missing}",
                           f"push the image (docker push <account>.dkr.ecr.{s.region}.amazonaws.com/{repository}:"
                           f"{server.image}); on a first deploy, leave agentServer.servers[{i}].image unset so "
                           "that `pulumi up` creates the repository, push, then set it")
            else:
                checks.add(name, UNCHECKED, f"ecr:DescribeImages {repository}: {one_line(exc)}")
            continue
        checks.add(name, PASS, f"{repository}:{server.image} is in ECR")
    return checks
