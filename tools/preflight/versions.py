"""What EKS offers in the stack's region: the pinned Kubernetes version and every pinned add-on version
(components/versions.py)."""

from __future__ import annotations

import re

from components.versions import CLOUDWATCH_OBSERVABILITY_ADDON, EKS_ADDON_VERSIONS, KUBERNETES_VERSION
from settings import Shape
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Checks, Context
from tools.preflight.errors import one_line


def version_key(version: str) -> tuple[int, ...]:
    """v1.21.1-eksbuild.3 -> (1, 21, 1, 3): add-on versions in release order."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def check_addon_versions(ctx: Context) -> Checks:
    """KUBERNETES_VERSION and every pinned add-on version are offered by EKS in this region."""
    checks = Checks()
    if ctx.settings.shape is Shape.BYOC:
        return checks
    versions_file = "components/versions.py"
    try:
        offered = ctx.every("eks", "describe_cluster_versions", "clusterVersions",
                            clusterVersions=[KUBERNETES_VERSION])
    except Exception as exc:  # noqa: BLE001
        checks.add("EKS Kubernetes version", UNCHECKED,
                   f"eks:DescribeClusterVersions did not answer ({one_line(exc)}); not checked: whether EKS offers "
                   f"Kubernetes {KUBERNETES_VERSION} in {ctx.settings.region}")
    else:
        match = [v for v in offered if str(v.get("clusterVersion")) == KUBERNETES_VERSION]
        status = str(match[0].get("versionStatus") or match[0].get("status") or "") if match else ""
        if not match or status.upper() == "UNSUPPORTED":
            checks.add("EKS Kubernetes version", FAIL,
                       f"EKS does not offer Kubernetes {KUBERNETES_VERSION} in {ctx.settings.region}"
                       + (f" ({status})" if status else ""),
                       f"raise KUBERNETES_VERSION in {versions_file} with every pin and its KUBERNETES_SUPPORT row "
                       "(aws eks describe-cluster-versions)")
        elif status.upper() == "EXTENDED_SUPPORT":
            end = match[0].get("endOfStandardSupportDate")
            checks.add("EKS Kubernetes version", WARN,
                       f"Kubernetes {KUBERNETES_VERSION} is in extended support (standard support ended "
                       f"{end:%Y-%m-%d}): EKS bills extended support per cluster-hour" if end else
                       f"Kubernetes {KUBERNETES_VERSION} is in extended support: EKS bills it per cluster-hour",
                       f"raise KUBERNETES_VERSION in {versions_file} (docs/upgrade.md)")
        else:
            checks.add("EKS Kubernetes version", PASS,
                       f"EKS offers Kubernetes {KUBERNETES_VERSION} in {ctx.settings.region} ({status or 'offered'})")
    pins = {**EKS_ADDON_VERSIONS, "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_ADDON}
    for addon, pin in pins.items():
        name = f"EKS add-on {addon}"
        try:
            addons = ctx.every("eks", "describe_addon_versions", "addons",
                               kubernetesVersion=KUBERNETES_VERSION, addonName=addon)
        except Exception as exc:  # noqa: BLE001
            # One line for all: an endpoint without the API answers the same for every add-on.
            checks.add("EKS add-on versions", UNCHECKED,
                       f"eks:DescribeAddonVersions did not answer ({one_line(exc)}); not checked for Kubernetes "
                       f"{KUBERNETES_VERSION}: " + ", ".join(f"{a} {v}" for a, v in pins.items()))
            return checks
        versions = sorted({str(v["addonVersion"]) for a in addons if a.get("addonName") == addon
                           for v in a.get("addonVersions", [])}, key=version_key)
        fix = (f"set {addon} to an offered version in {versions_file} and update its KUBERNETES_SUPPORT row "
               f"(aws eks describe-addon-versions --kubernetes-version {KUBERNETES_VERSION} --addon-name {addon})")
        if not versions:
            checks.add(name, FAIL, f"EKS offers no {addon} for Kubernetes {KUBERNETES_VERSION} in {ctx.settings.region} "
                       f"(pinned {pin})", fix)
        elif pin not in versions:
            checks.add(name, FAIL, f"pinned {pin} is not offered for Kubernetes {KUBERNETES_VERSION}; newest offered "
                       f"{versions[-1]}", fix)
        else:
            newer = versions[-1] if versions[-1] != pin else ""
            checks.add(name, PASS, f"{pin} offered for Kubernetes {KUBERNETES_VERSION}"
                       + (f" (newest {newer})" if newer else " (the newest)"))
    return checks
