"""What a config change does to a stack: the difference between two offline plans.

    python -m tools.preview --stack prod --json old.json          # before the change
    python -m tools.preview --stack prod --diff old.json          # after it

Resources are matched by URN. For each resource present in both plans, the inputs and options
(`protect`, `retain_on_delete`, `dependencies`, `parent`) are compared property by property;
JSON documents held in string inputs (IAM policies, Helm values) are compared inside. Values the
plans mask ("[secret]", "[unknown]") are compared as masked: a changed secret shows as no change,
and no secret is ever printed. Mock-assigned IDs and outputs are not compared (they echo inputs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, TextIO

from settings.json_values import parsed_json_document

COMPARED_OPTIONS = ("protect", "retain_on_delete", "parent", "dependencies")
_ABSENT: Any = object()
# When a change takes effect (takes_effect below).
NOW, MAINTENANCE_WINDOW, REPLACEMENT = "now", "at the maintenance window", "by replacement"


@dataclass(frozen=True)
class PropertyChange:
    path: str
    old: Any  # _ABSENT when the property is new
    new: Any  # _ABSENT when the property is gone

    def describe(self) -> str:
        if self.old is _ABSENT:
            return f"+ {self.path}: {_show(self.new)}"
        if self.new is _ABSENT:
            return f"- {self.path}: {_show(self.old)}"
        return f"~ {self.path}: {_show(self.old)} -> {_show(self.new)}"


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    name: str
    changes: tuple[PropertyChange, ...]
    when: str = NOW  # takes_effect(): now, at the maintenance window, or by replacement


# Inputs whose change replaces the resource (ForceNew in terraform-provider-aws' schemas; for
# Kubernetes, the immutable fields of the API), for the types that hold data and the ones whose
# timing operators ask about. tools/engine/scenario.py checks procedures against the same table.
REPLACING_INPUTS: Mapping[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": ("kmsKeyId", "dbName", "username", "snapshotIdentifier", "storageEncrypted",
                                  "engine", "availabilityZone", "characterSetName", "timezone"),
    "aws:rds/parameterGroup:ParameterGroup": ("family", "name", "namePrefix"),
    "aws:rds/snapshotCopy:SnapshotCopy": ("sourceDbSnapshotIdentifier", "targetDbSnapshotIdentifier", "kmsKeyId"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled"),
    "aws:backup/vault:Vault": ("name", "kmsKeyArn"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
    "aws:ebs/volume:Volume": ("availabilityZone", "snapshotId", "encrypted", "kmsKeyId", "outpostArn"),
    "kubernetes:core/v1:PersistentVolume": ("spec.csi", "spec.claimRef", "spec.nodeAffinity",
                                            "spec.storageClassName", "metadata.name"),
    "kubernetes:core/v1:PersistentVolumeClaim": ("spec.accessModes", "spec.storageClassName", "spec.volumeName",
                                                 "spec.volumeMode", "metadata.name", "metadata.namespace"),
    "aws:secretsmanager/secret:Secret": ("name", "namePrefix"),
    # hashicorp/terraform-provider-aws internal/service/ecr/repository.go: `name` and
    # `encryption_configuration` (its encryption_type and kms_key) are ForceNew; force_delete is not.
    "aws:ecr/repository:Repository": ("name", "encryptionConfigurations"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("replicationGroupId", "atRestEncryptionEnabled",
                                                          "kmsKeyId", "subnetGroupName"),
}


def replacing_paths(resource_type: str, paths: Sequence[str], ignored: Sequence[str] = ()) -> list[str]:
    """The changed input paths that replace a resource of this type (ignore_changes left out)."""
    replacing = REPLACING_INPUTS.get(resource_type, ())
    found = []
    for path in paths:
        top = path.split("[")[0]
        if any(top == r or top.startswith(r + ".") for r in replacing) and not any(
                top == i or top.startswith(i + ".") for i in ignored):
            found.append(path)
    return found


def takes_effect(resource_type: str, inputs: Mapping[str, Any], paths: Sequence[str],
                 ignored: Sequence[str] = ()) -> str:
    """When a change to a resource takes effect: now, at the maintenance window, or by replacement."""
    if replacing_paths(resource_type, paths, ignored):
        return REPLACEMENT
    deferred = {"aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"}
    if resource_type in deferred and not inputs.get("applyImmediately"):
        return MAINTENANCE_WINDOW
    return NOW


@dataclass
class PlanDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    outputs: list[PropertyChange] = field(default_factory=list)
    violations_added: list[dict[str, Any]] = field(default_factory=list)
    violations_removed: list[dict[str, Any]] = field(default_factory=list)
    cost: tuple[float, float] | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.outputs
                    or self.violations_added or self.violations_removed)


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


    return value


def property_changes(old: Any, new: Any, path: str = "") -> list[PropertyChange]:
    """Leaf-level differences between two JSON values, with dotted paths (`a.b[2].c`)."""
    old, new = parsed_json_document(old), parsed_json_document(new)
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[PropertyChange] = []
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                changes.append(PropertyChange(sub, _ABSENT, new[key]))
            elif key not in new:
                changes.append(PropertyChange(sub, old[key], _ABSENT))
            else:
                changes.extend(property_changes(old[key], new[key], sub))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                changes.append(PropertyChange(sub, _ABSENT, new[i]))
            elif i >= len(new):
                changes.append(PropertyChange(sub, old[i], _ABSENT))
            else:
                changes.extend(property_changes(old[i], new[i], sub))
        return changes
    return [] if old == new else [PropertyChange(path or "(value)", old, new)]


def _resource_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[PropertyChange]:
    changes = property_changes(old.get("inputs") or {}, new.get("inputs") or {})
    for option in COMPARED_OPTIONS:
        if option == "dependencies":  # a set: say which URNs come and go, not which indexes shift
            before, after = set(old.get(option) or []), set(new.get(option) or [])
            changes.extend(PropertyChange("(dependencies)", _ABSENT, u) for u in sorted(after - before))
            changes.extend(PropertyChange("(dependencies)", u, _ABSENT) for u in sorted(before - after))
        else:
            changes.extend(property_changes(old.get(option), new.get(option), f"({option})"))
    return changes


def _violation_key(v: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (str(v.get("urn")), str(v.get("policy")), str(v.get("enforcement")), str(v.get("message")))


def diff_plans(old: Mapping[str, Any], new: Mapping[str, Any]) -> PlanDiff:
    old_resources = {r["urn"]: r for r in old.get("resources", [])}
    new_resources = {r["urn"]: r for r in new.get("resources", [])}
    diff = PlanDiff(
        added=[new_resources[u] for u in sorted(set(new_resources) - set(old_resources))],
        removed=[old_resources[u] for u in sorted(set(old_resources) - set(new_resources))],
    )
    for urn in sorted(set(old_resources) & set(new_resources)):
        changes = _resource_changes(old_resources[urn], new_resources[urn])
        if changes:
            r = new_resources[urn]
            when = takes_effect(r["type"], r.get("inputs") or {}, [c.path for c in changes if not c.path.startswith("(")])
            diff.changed.append(ResourceChange(urn, r["type"], r["name"], tuple(changes), when))
    diff.outputs = property_changes(old.get("outputs") or {}, new.get("outputs") or {})
    old_violations = {_violation_key(v): v for v in old.get("violations", [])}
    new_violations = {_violation_key(v): v for v in new.get("violations", [])}
    diff.violations_added = [new_violations[k] for k in sorted(set(new_violations) - set(old_violations))]
    diff.violations_removed = [old_violations[k] for k in sorted(set(old_violations) - set(new_violations))]
    old_cost, new_cost = (p.get("cost", {}).get("totalMonthlyUsd") for p in (old, new))
    if isinstance(old_cost, (int, float)) and isinstance(new_cost, (int, float)) and old_cost != new_cost:
        diff.cost = (float(old_cost), float(new_cost))
    return diff


def print_diff(diff: PlanDiff, out: TextIO, *, old_label: str = "old plan") -> None:
    print(f"\nPlan diff against {old_label}: {len(diff.added)} to add, {len(diff.removed)} to remove, "
          f"{len(diff.changed)} to change", file=out)
    if diff.empty:
        print("  no changes", file=out)
    for r in diff.added:
        print(f"  + {r['type']} {r['name']}", file=out)
    for r in diff.removed:
        print(f"  - {r['type']} {r['name']}", file=out)
    for change in diff.changed:
        print(f"  ~ {change.type} {change.name} (takes effect {change.when})", file=out)
        for prop in change.changes:
            print(f"      {prop.describe()}", file=out)
    if diff.outputs:
        print("  stack outputs:", file=out)
        for prop in diff.outputs:
            print(f"      {prop.describe()}", file=out)
    for v in diff.violations_added:
        print(f"  new policy violation [{v['enforcement']}] {v['policy']}: {v['message']}", file=out)
    for v in diff.violations_removed:
        print(f"  resolved policy violation [{v['enforcement']}] {v['policy']}", file=out)
    if diff.cost is not None:
        old_cost, new_cost = diff.cost
        print(f"  estimated monthly cost: {old_cost:.2f} -> {new_cost:.2f} USD ({new_cost - old_cost:+.2f})", file=out)
