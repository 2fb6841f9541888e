"""Derive the CRD data the stack ships from the controllers' charts at their pinned versions.

Two files, both generated (never edited by hand):

- `data/crds/lgps.apps.langchain.ai.json`: the LangGraph operator's `LGP` CRD as the
  `langgraph-dataplane` chart renders it (templates/operator/crds.yaml, minus the Helm guard),
  field descriptions dropped (they are three quarters of its size and would swell every plan),
  so the hybrid shape installs it once, outside every listener release.
- `data/crds/schemas.json`: the openAPIV3Schema (descriptions dropped) of each custom
  resource kind the program creates, for the Kubernetes schema tests.

Each entry records the repository, the git ref and the path it came from. Run it against local
clones (or `fetch` mirrors) of the chart repositories:

    python -m data.crds.generate --langchain-helm DIR --eks-charts DIR --external-secrets DIR --envoy-gateway DIR \
        --keda DIR
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any, Iterator

import yaml

from components.versions import ENVOY_GATEWAY, EXTERNAL_SECRETS, KEDA, LANGGRAPH_DATAPLANE

CRD_DIR = Path(__file__).resolve().parent  # the CRD data lives beside its generator
LGP_CRD_FILE = CRD_DIR / "lgps.apps.langchain.ai.json"
SCHEMAS_FILE = CRD_DIR / "schemas.json"

# (repository option, GitHub repository, git ref, path, the kinds of that file the program creates)
# The eks-charts repository tags no chart releases: the ref is the commit "aws-load-balancer-controller: v3.5.0".
LBC_CHART_COMMIT = "5239609242f3430be50fb0b714a24d3ef2b47983"
SOURCES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("eks_charts", "aws/eks-charts", LBC_CHART_COMMIT,
     "stable/aws-load-balancer-controller/crds/crds.yaml", ("TargetGroupBinding",)),
    ("external_secrets", "external-secrets/external-secrets", f"helm-chart-{EXTERNAL_SECRETS.version}",
     "config/crds/bases/external-secrets.io_externalsecrets.yaml", ("ExternalSecret",)),
    ("external_secrets", "external-secrets/external-secrets", f"helm-chart-{EXTERNAL_SECRETS.version}",
     "config/crds/bases/external-secrets.io_secretstores.yaml", ("SecretStore",)),
    ("envoy_gateway", "envoyproxy/gateway", ENVOY_GATEWAY.version,
     "charts/gateway-helm/charts/crds/crds/gatewayapi-crds.yaml", ("Gateway", "GatewayClass", "HTTPRoute")),
    ("envoy_gateway", "envoyproxy/gateway", ENVOY_GATEWAY.version,
     "charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_envoyproxies.yaml", ("EnvoyProxy",)),
    ("envoy_gateway", "envoyproxy/gateway", ENVOY_GATEWAY.version,
     "charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_backendtrafficpolicies.yaml",
     ("BackendTrafficPolicy",)),
    # The keda chart 2.20.2 installs KEDA v2.20.2; ScaledObjects are rendered by the langgraph-cloud
    # chart (tools/engine/render.py renders them, tests validate them).
    ("keda", "kedacore/keda", f"v{KEDA.version}", "config/crd/bases/keda.sh_scaledobjects.yaml", ("ScaledObject",)),
    ("langchain_helm", "langchain-ai/helm", f"langgraph-dataplane-{LANGGRAPH_DATAPLANE.version}",
     "charts/langgraph-dataplane/templates/operator/crds.yaml", ("LGP",)),
)
LGP_SOURCE = SOURCES[-1]


def git_show(git_dir: str, ref: str, path: str) -> str:
    return subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{ref}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def without_helm_guard(text: str) -> str:
    """The chart wraps the CRD in `{{- if ... }}` / `{{- end}}`; the rest is plain YAML."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("{{")]
    if any("{{" in line for line in lines):
        raise ValueError("unexpected template expression inside the CRD")
    return "\n".join(lines)


def crds_in(text: str) -> Iterator[dict[str, Any]]:
    for document in yaml.load_all(text, Loader=yaml.CSafeLoader):
        if isinstance(document, dict) and document.get("kind") == "CustomResourceDefinition":
            yield document


def strip_descriptions(node: Any) -> Any:
    """The same schema without its documentation: every `description` that is text. A field *named*
    `description` (a `properties` entry, whose value is a schema: GatewayClass has `spec.description`)
    stays, or the API server would prune that field from every object."""
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.crds.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for option in sorted({s[0] for s in SOURCES}):
        parser.add_argument(f"--{option.replace('_', '-')}", required=True, help="git directory of the repository")
    args = parser.parse_args(argv)
    schemas: dict[str, Any] = {}
    for option, repo, ref, path, kinds in SOURCES:
        text = without_helm_guard(git_show(getattr(args, option), ref, path))
        for crd in crds_in(text):
            kind = crd["spec"]["names"]["kind"]
            if kind not in kinds:
                continue
            group = crd["spec"]["group"]
            source = {"repository": repo, "ref": ref, "path": path}
            if (option, repo, ref, path, kinds) == LGP_SOURCE:
                LGP_CRD_FILE.write_text(json.dumps({"source": source, "crd": strip_descriptions(crd)},
                                                   sort_keys=True) + "\n")
            for version in crd["spec"]["versions"]:
                if not version.get("served", True):
                    continue
                schemas[f"{group}/{version['name']}/{kind}"] = {
                    "source": source, "scope": crd["spec"]["scope"],
                    "schema": strip_descriptions(version["schema"]["openAPIV3Schema"])}
    SCHEMAS_FILE.write_text(json.dumps(schemas, sort_keys=True, indent=None) + "\n")
    print(f"wrote {LGP_CRD_FILE.name} and {len(schemas)} schemas to {SCHEMAS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
