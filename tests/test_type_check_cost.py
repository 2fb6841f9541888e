"""Resources whose keyword-form constructor makes pyright build a large TypedDict grammar are created
from their Args classes (components/args_form.py): one keyword call to any of them costs every
`bin/test` seconds of CPU, whichever module makes it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = [ROOT / "__main__.py", *sorted((ROOT / "components").glob("*.py")), *sorted((ROOT / "shapes").glob("*.py"))]

# The keyword overload's TypedDict grammar, in classes (fields) reached from its parameters, read from
# the pinned SDKs (pulumi-aws, pulumi-kubernetes, pulumi-eks in requirements.txt).
LARGE_GRAMMARS = {
    "pulumi_aws.wafv2.WebAcl": "the WAF rule statement grammar, ~590 classes",
    "pulumi_kubernetes.batch.v1.Job": "the pod spec, ~130 classes",
    "pulumi_kubernetes.batch.v1.CronJob": "the pod spec, ~130 classes",
    "pulumi_kubernetes.apps.v1.Deployment": "the pod spec, ~120 classes",
    "pulumi_kubernetes.apps.v1.StatefulSet": "the pod spec",
    "pulumi_kubernetes.apps.v1.DaemonSet": "the pod spec",
    "pulumi_kubernetes.core.v1.Pod": "the pod spec",
    "pulumi_kubernetes.core.v1.PersistentVolume": "~30 classes, ~190 fields",
    "pulumi_kubernetes.core.v1.PersistentVolumeClaim": "~50 fields",
    "pulumi_kubernetes.apiextensions.v1.CustomResourceDefinition": "~130 fields",
    "pulumi_aws.ec2.LaunchTemplate": "~35 classes",
    "pulumi_aws.s3.Bucket": "the inline bucket grammar, ~30 classes",
    "pulumi_aws.s3.BucketLifecycleConfiguration": "~10 classes",
    "pulumi_eks.Cluster": "node group and add-on options",
    "pulumi_eks.ManagedNodeGroup": "node group options",
}


def keyword_calls(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = {alias.asname or alias.name: alias.name
               for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        parts: list[str] = []
        target: ast.expr = node.func
        while isinstance(target, ast.Attribute):
            parts.insert(0, target.attr)
            target = target.value
        if not isinstance(target, ast.Name) or target.id not in aliases:
            continue
        name = ".".join([aliases[target.id], *parts])
        if name in LARGE_GRAMMARS and any(k.arg != "opts" for k in node.keywords):
            found.append(f"{path.relative_to(root)}:{node.lineno} {name} ({LARGE_GRAMMARS[name]})")
    return found


def test_large_grammar_resources_are_created_from_their_args_classes() -> None:
    found = [call for path in PROGRAM for call in keyword_calls(path)]
    assert not found, ("keyword-form calls that make pyright build a large TypedDict grammar; "
                       "use components.args_form.from_args(Resource, name, ResourceArgs(...), opts):\n"
                       + "\n".join(found))


def test_the_check_sees_a_keyword_call(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("import pulumi_kubernetes as k8s\n"
                      "k8s.batch.v1.Job('j', spec=k8s.batch.v1.JobSpecArgs(template={}))\n"
                      "k8s.batch.v1.Job('j', k8s.batch.v1.JobInitArgs(), opts=None)\n")
    assert [call.split(" ")[1] for call in keyword_calls(module, tmp_path)] == ["pulumi_kubernetes.batch.v1.Job"]
