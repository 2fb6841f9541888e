"""Generate the reference parts of the documentation from the code.

    python -m tools.docs            # rewrite every generated section
    python -m tools.docs --check    # exit 1 if one is stale (tests/test_docs.py holds the same)

A generated section sits between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`
in the file `GENERATED` names for it; the text around the markers is written by hand. The
sections are the configuration reference (docs/configuration.md, from the settings models, the
profile table and the loader's shape-only keys), the policy table (docs/security.md, from the
pack), and for each shipped stack its size, cost, first-deploy time and diagram (README.md,
docs/architecture.md, docs/cost.md, from its offline plan).
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import fnmatch
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic.functional_validators import AfterValidator, BeforeValidator
from pydantic.types import StringConstraints
from pydantic_core import PydanticUndefined

from pricing.engine import CostEstimate, estimate
from pricing.from_plan import items_from_plan
from settings import Settings, Shape
from settings.loader import SHAPE_KEYS
from settings.stack import SECRET_KEYS
from settings.profiles import PROFILE_DEFAULTS, PROFILE_NAMES
from tools.engine.diagram import mermaid
from tools.engine.harness import PROJECT_ROOT, run_program
from tools.engine.plan import build_plan
from tools.engine.stack_config import load_stack_config
from tools.engine.timeline import timeline_summary

README = PROJECT_ROOT / "README.md"
DOCS = PROJECT_ROOT / "docs"
STACKS = ("dev", "prod", "hybrid", "byoc", "byoc-ecs", "agent-server")

# Which file holds each generated section.
GENERATED: Mapping[str, Path] = {
    "stacks-summary": README,
    "config-reference": DOCS / "configuration.md",
    "stacks": DOCS / "architecture.md",
    "stack-costs": DOCS / "cost.md",
    "policies": DOCS / "security.md",
}


# -- configuration reference ------------------------------------------------------------------
#
# Every key is read off the settings models: its path as a user writes it (camelCase aliases,
# dotted, `[]` for the entries of a list), its type, its default (the profile table's where a
# profile sets it), what values are allowed (field constraints, Literal and enum members, and the
# validators' rules), the shapes that read it (the loader's SHAPE_KEYS) and whether it must be
# set. What cannot be read off a model is stated in the tables below, each held to the code by
# tests/test_config_reference.py: what each validator allows, the keys a cross-field rule
# requires, the limits rules across keys set, the defaults the loader fills in, and the readable
# names of the settings' named types.

RUNTIME_KEYS = {"region": "aws:region"}  # model fields the runtime fills from another namespace
RUNTIME_ONLY = {"project", "stack"}      # model fields that are not config keys at all


@dataclasses.dataclass(frozen=True)
class Probe:
    """A validator's rule is the message it gives for this value (its errors say what is allowed);
    with `lead`, the lead followed by the message's parenthesis (the list of what is refused)."""

    value: Any
    lead: str | None = None


# What each validator in the settings models allows, by qualified name: a text, a Probe, or None
# for a validator that only normalises. A validator missing here stops the generation, so a new
# rule cannot go undocumented. `_matching(...)` validators state their own example.
VALIDATOR_RULES: Mapping[str, str | Probe | None] = {
    "_check_retention": Probe(2),
    "_check_vpc_cidr": "must be a private (RFC 1918) IPv4 CIDR block, /16 to /20",
    "_check_cidr": "must be an IPv4 CIDR block such as 203.0.113.0/24",
    "_check_sso_role_path": "an IAM Identity Center role (AWSReservedSSO_*) with its full path, "
                            "arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/REGION/NAME (EKS refuses the "
                            "path-less ARN)",
    "_check_region": "must be an AWS region of the commercial (aws) partition (botocore's endpoints data)",
    "_check_instance_type": "must be an EC2 instance type (botocore's EC2 service model)",
    "_check_name_prefix": Probe("X"),
    "_check_host": Probe("https://"),
    "_check_https_url": Probe("http://"),
    "check_url": Probe("ftp://"),
    "_check_tag_key": "must not start with `aws:` (reserved by AWS)",
    "_check_postgres_major": Probe("0"),
    "_check_workload_namespace": Probe("default", lead="must not be a namespace Kubernetes or the stack's "
                                                       "controllers own"),
    "_check_runs_endpoints": "must be a non-empty JSON object (or YAML mapping) of LangSmith API URL to API-key "
                             "secret name",
    "_check_cpu": "must be CPU cores (2, 0.5, at most 3 decimals) or whole millicores (500m), more than 0",
    "_check_memory": "must be a memory size of at least 16Mi: bytes with a suffix Ki Mi Gi Ti Pi Ei or k M G T P E "
                     "(never m: that is milli)",
    "_json_text": None,  # reads a YAML mapping as its JSON text
    "NetworkSettings._unique_endpoints": "must not list a service twice",
    "LangSmithSettings._supported_chart": Probe("0"),
    "RedisSettings._default_version_of_engine": None,  # each engine's default version (see the key's meaning)
    "RestoreSettings._postgres": "must be an RDS DB snapshot identifier (manual, automated `rds:...`, AWS Backup "
                                 "`awsbackup:...`) or its ARN; not an Aurora cluster snapshot",
    "RestoreSettings._clickhouse": Probe("x"),
    "_check_image": "must be a tag in the server's own ECR repository (letters, digits, `_ . -`), not `latest`, "
                    "not an image of another registry or repository",
}

# Keys a cross-field rule requires (settings/rules.py), with the condition; the
# keys below a conditional object inherit its condition.
REQUIRED_WHEN: Mapping[str, str] = {
    "licenseKey": "for self-hosted and agent-server",
    "langsmith": "for self-hosted",
    "langsmith.domain": "for self-hosted",
    "langsmith.hostedZoneId": "for self-hosted",
    "langsmith.adminEmail": "with `langsmith.auth: basic`",
    "langsmith.oidc": "with `langsmith.auth: oidc`",
    "clickhouse.externalHost": "with `clickhouse.mode: external`",
    "clickhouseExternalPassword": "with `clickhouse.mode: external`",
    "postgresExternalUri": "with `postgres.external: true`",
    "network.existing.publicSubnetIds": "for an internet-facing ALB (self-hosted or hybrid without "
                                        "`edge.internal: true`), two or more",
    "hybrid.listeners": "for hybrid, one or more",
    "hybrid.domain": "for hybrid",
    "hybrid.hostedZoneId": "for hybrid",
    "hybrid.hostBackendUrl": "with `hybrid.controlPlane: self-hosted`",
    "hybrid.smithBackendUrl": "with `hybrid.controlPlane: self-hosted`",
    "hybridApiKeys": "for hybrid, one per listener name",
    "byocExternalId": "for byoc",
    "byoc.contract": "for byoc, `ecs` for a BYOC stack deployed before 0.16.0",
    "agentServer.servers": "for agent-server, one or more",
    "agentServer.domain": "for agent-server",
    "agentServer.hostedZoneId": "for agent-server",
    "agentServer.tracing.endpoint": "with `agentServer.tracing.target: self-hosted`",
    "agentServerApiKey": "for agent-server, unless `agentServer.tracing.target: off`",
    "restoreSecrets": "with `restore.postgresSnapshot`: `apiKeySalt`, `jwtSecret`, and the encryption key of "
                      "each enabled Insights, Polly or Fleet",
}

# What rules across keys, the catalogues and the capacity check allow beyond each key's own type
# (settings/rules.py and the checks it calls, the loader's conditional keys).
# `*` stands for any part of a key.
CROSS_FIELD_RULES: Mapping[str, str] = {
    "logRetentionDays": "365 or more with a production profile",
    "network.cidr": "only without `network.existing`; with byoc `contract: eks` a /16 to /18 RFC 1918 range "
                    "(LangChain's data-plane VPC)",
    "network.azCount": "only without `network.existing`; 2 or 3 with `byoc.vpc: byovpc`",
    "network.availabilityZones": "exactly `network.azCount` zones of the stack's region, none twice; only without "
                                 "`network.existing`",
    "network.natGateways": "only without `network.existing`",
    "network.interfaceEndpoints": "only without `network.existing`",
    "network.existing.publicSubnetIds": "none of the private subnets",
    "network.existing.dataSubnetIds": "two or more, or none (the private subnets are used)",
    "cluster.publicAccessCidrs": "no `0.0.0.0/0` with a production profile",
    "cluster.deployerAccessCidrs": "no `0.0.0.0/0` with a production profile; needed when "
                                   "`cluster.publicAccessCidrs` is empty and `cluster.deployerInsideVpc` false "
                                   "(else nothing reaches the API)",
    "cluster.architecture": "`arm64` only where every image the shape runs is published for arm64 "
                            "(settings/architecture.py)",
    "cluster.*.instanceTypes": "one CPU architecture, `cluster.architecture`'s; a size recorded in "
                               "data/nodes/instance-types.json; a node must hold the largest pod of the pool",
    "cluster.*.desiredSize": "between the pool's minSize and maxSize",
    "cluster.*.maxSize": "enough nodes for the pool's pods with a rollout's surge and a Helm hook",
    "clickhouse.cpu": "fits one node of `cluster.clickhousePool`",
    "clickhouse.memory": "fits one node of `cluster.clickhousePool`",
    "clickhouse.volumeIops": "at most 500 per GiB of `clickhouse.volumeSizeGb`",
    "clickhouse.volumeThroughputMibps": "at most `clickhouse.volumeIops` / 4",
    "clickhouse.external*": "only with `clickhouse.mode: external`",
    "langsmith.components.*.cpu": "fits one node of `cluster.generalPool`",
    "langsmith.components.*.memory": "fits one node of `cluster.generalPool`",
    "langsmith.oidc": "only with `langsmith.auth: oidc`",
    "langsmith.fleetEnabled": "needs `langsmith.deployments.enabled: true` (the host backend serves Fleet's OAuth "
                              "connections)",
    "langsmith.chartVersion": "the pinned version (components/versions.py) with `langsmith.deployments.enabled`",
    "langsmith.deployments.agentServer.*": "fits one node of `cluster.generalPool`",
    "postgres.instanceClass": "an RDS for PostgreSQL class offered in the stack's region with "
                              "`postgres.engineVersion`",
    "postgres.maxAllocatedStorageGb": "at least `postgres.allocatedStorageGb`",
    "postgres.backupRetentionDays": "14 or more with a production profile",
    "redis.nodeType": "an ElastiCache node type offered in the stack's region",
    "redis.engineVersion": "a version ElastiCache offers for `redis.engine`",
    "edge.allowedCidrs": "private ranges, not `0.0.0.0/0`, for an internal ALB with a production profile",
    "hybrid.listeners": "no namespace watched by two listeners",
    "hybrid.listeners[].name": "unique across listeners",
    "hybrid.listeners[].listenerId": "unique across listeners",
    "hybrid.listeners[].namespaces": "several only with `hybrid.gatewayApi: true`; each listed once, never another "
                                      "listener's watched namespace nor any listener's release namespace `langgraph-<name>`",
    "hybrid.gatewayApi": "must be `true` (agents are routed by Envoy Gateway behind the stack's ALB)",
    "hybridApiKeys": "a key for every listener name",
    "byocExternalId": "2 to 1224 characters of letters, digits and `+=,.@:/-_`",
    "byoc.controlPlane": "`us` with `byoc.contract: eks` (one control plane, in us-east-2)",
    "byoc.breakGlass.allow": "`true` only with `byoc.breakGlass.identityStoreUserIds` and `sourceIdentities` listed",
    "byoc.*": "the keys of the other `byoc.contract` are refused (eks: vpc, allowDeletePermissions, "
              "allowPublicIngress, byoiam, breakGlass; ecs: trustedPrincipalArn, maxSessionDurationSeconds, "
              "permissionsBoundaryArn, ecrRepositoryName, keepTaggedImages, langsmithRunsEndpoints)",
    "aws:region": "with `byoc.contract: eks`, a BYOC data-plane region (docs.langchain.com/langsmith/byoc)",
    "postgres.external": "`false` with `byoc.contract: eks` (LangChain's data plane runs its own RDS)",
    "network.existing": "with byoc `contract: eks`, only with `byoc.vpc: byovpc`; then 2-3 private (application) "
                        "subnets, as many data subnets, none or as many public subnets (required with "
                        "`byoc.allowPublicIngress`), no subnet ID twice",
    "network.existing.privateSubnetIds": "with byoc `contract: eks`: 2 or 3, one per zone",
    "oidcClientSecret": "only with `langsmith.auth: oidc`",
    "postgresExternalUri": "only with `postgres.external: true`",
    "restore.postgresSnapshot": "self-hosted only, not with `postgres.external: true`; a snapshot in the stack's "
                                "region",
    "restore.clickhouseSnapshot": "self-hosted only, with `clickhouse.mode: in-cluster`; a snapshot in the "
                                  "stack's region",
    "blobStorage.longTtlDays": "at least `blobStorage.shortTtlDays`",
    "agentServer.servers[].name": "unique across servers",
    "agentServer.servers[].redisDatabase": "unique across servers (one Redis database number per server)",
    "agentServer.servers[].hostname": "one label under `agentServer.domain`",
    "agentServer.servers[].path": "no two servers on the same host and path",
    "agentServer.servers[].minReplicas": "at most `maxReplicas`",
    "agentServer.servers[].cpu": "fits one node of `cluster.generalPool` (every server counted at `maxReplicas`)",
    "agentServer.servers[].memory": "fits one node of `cluster.generalPool` (every server counted at `maxReplicas`)",
    "agentServer.tracing.endpoint": "only with `agentServer.tracing.target: self-hosted`",
    "postgres.external": "must be false for agent-server (a database per server on the stack's RDS)",
    "restoreSecrets": "only with `restore.postgresSnapshot`; names `apiKeySalt`, `jwtSecret`, "
                      "`insightsEncryptionKey`, `pollyEncryptionKey`, `fleetEncryptionKey`, none empty",
}

# Defaults the loader fills in before validation (settings/loader.py), where the model has none.
LOADER_DEFAULTS: Mapping[str, str] = {"namePrefix": "`ls-<stack>` (cut, with a hash, past 21 characters)"}

# Readable names of the settings' named types (module-level aliases such as `Quantity`).
TYPE_NAMES: Mapping[str, str] = {
    "CpuQuantity": "Kubernetes CPU quantity",
    "MemoryQuantity": "Kubernetes memory quantity",
    "VpcCidr": "IPv4 CIDR",
    "Cidr": "IPv4 CIDR",
    "VpcId": "VPC ID",
    "SubnetId": "subnet ID",
    "AvailabilityZone": "availability zone",
    "Region": "AWS region",
    "NamePrefix": "name prefix",
    "RetentionDays": "integer (days)",
    "InstanceType": "EC2 instance type",
    "RoleArn": "IAM role ARN",
    "Hostname": "DNS name",
    "Uuid": "UUID",
    "Dns1123Label": "Kubernetes name",
    "WorkloadNamespace": "Kubernetes namespace",
    "Url": "URL",
    "ServerName": "DNS label",
    "PathPrefix": "URL path prefix",
    "ImageRef": "image tag",
}

_SCALARS = {str: "string", int: "integer", bool: "boolean", float: "number"}


@dataclasses.dataclass(frozen=True)
class ConfigKey:
    """One row of the reference."""

    key: str          # as a user writes it: `cluster.generalPool.minSize`, `hybrid.listeners[].name`
    type: str
    default: str
    allowed: str
    shapes: str
    required: str
    meaning: str
    area: str         # the top-level key whose section lists it ("" for the general keys)


class _Unset:
    def __repr__(self) -> str:
        return "(unset)"


_UNSET: Any = _Unset()


def _named_types() -> list[tuple[str, Any]]:
    """The settings package's named Annotated types, e.g. ("Quantity", Annotated[str, ...])."""
    found: list[tuple[str, Any]] = []
    for module_name in sorted(name for name in sys.modules if name == "settings" or name.startswith("settings.")):
        for name, value in vars(sys.modules[module_name]).items():
            if typing.get_origin(value) is typing.Annotated and (name, value) not in found:
                found.append((name, value))
    return found


def _type_name_of(hint: Any) -> str | None:
    """The readable name of the longest named type `hint` is built on (aliases nest: a listener's
    name is a WorkloadNamespace, which is a Dns1123Label, plus a length)."""
    if typing.get_origin(hint) is not typing.Annotated:
        return None
    base, *metadata = typing.get_args(hint)
    best: tuple[int, str] | None = None
    for name, alias in _named_types():
        alias_base, *alias_metadata = typing.get_args(alias)
        if alias_base is base and metadata[:len(alias_metadata)] == alias_metadata and name in TYPE_NAMES:
            if best is None or len(alias_metadata) > best[0]:
                best = (len(alias_metadata), TYPE_NAMES[name])
    return best[1] if best else None


def _without_none(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return inner[0], True
    return hint, False


def _qualname(func: Any) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


def validator_rule(func: Any) -> str | None:
    """What a validator allows, as a person reads it."""
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if code is not None and "example" in code.co_freevars:  # settings' `_matching(pattern, example)`
        cell = func.__closure__[code.co_freevars.index("example")]
        return f"must look like {cell.cell_contents}"
    name = _qualname(func)
    if name not in VALIDATOR_RULES:
        raise KeyError(f"tools/docs.py: VALIDATOR_RULES does not say what the validator {name} allows")
    rule = VALIDATOR_RULES[name]
    if isinstance(rule, Probe):
        try:
            func(rule.value)
        except ValueError as exc:
            message = str(exc)
            return message if rule.lead is None else f"{rule.lead} ({message.split('(', 1)[1]}"
        raise ValueError(f"tools/docs.py: the validator {name} accepts its probe {rule.value!r}")
    return rule


def _range(low: Any, high: Any, unit: tuple[str, str] = ("", "")) -> str:
    """`2 to 6`, `at least 1 entry`, `at most 253 characters`; `unit` is (singular, plural)."""
    def units(n: Any) -> str:
        return f" {unit[0] if n == 1 else unit[1]}" if unit[1] else ""
    if low is not None and high is not None:
        return f"{low} to {high}{units(high)}"
    return f"at least {low}{units(low)}" if low is not None else f"at most {high}{units(high)}"


def _constraint_rules(metadata: Sequence[Any], base: Any) -> list[str]:
    """Ranges, lengths and validators, in the order a reader wants them."""
    low = high = min_len = max_len = None
    rules: list[str] = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = f"more than {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = f"less than {item.lt}"
        elif isinstance(item, annotated_types.MinLen):
            min_len = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            max_len = item.max_length
        elif isinstance(item, StringConstraints):
            min_len = item.min_length if item.min_length is not None else min_len
            max_len = item.max_length if item.max_length is not None else max_len
        elif isinstance(item, (AfterValidator, BeforeValidator)):
            rule = validator_rule(item.func)
            if rule is not None:
                rules.append(rule)
        else:
            raise TypeError(f"tools/docs.py cannot describe the constraint {item!r}")
    sized: list[str] = []
    if low is not None or high is not None:
        sized.append(_range(low, high))
    if min_len is not None or max_len is not None:
        unit = ("entry", "entries") if typing.get_origin(base) in (list, dict) else ("character", "characters")
        sized.append(_range(min_len, max_len, unit))
    return sized + rules


def _literal_values(values: Sequence[Any]) -> str:
    return "one of " + ", ".join(f"`{v}`" for v in values)


def _plural(name: str) -> str:
    return name if name.endswith("s") or name.startswith("integer (") else f"{name}s"


def describe_type(hint: Any, field_metadata: Sequence[Any] = ()) -> tuple[str, list[str]]:
    """(readable type, allowed values) of a type hint and the constraints its Field adds."""
    hint, _ = _without_none(hint)
    named = _type_name_of(hint)
    base, metadata = hint, []
    if typing.get_origin(hint) is typing.Annotated:
        base, *metadata = typing.get_args(hint)
    metadata += [m for m in field_metadata if m not in metadata]
    rules = _constraint_rules(metadata, base)
    origin, args = typing.get_origin(base), typing.get_args(base)
    if origin is list:
        item_type, item_rules = describe_type(args[0])
        return f"list of {_plural(item_type)}", rules + [f"each {r}" for r in item_rules]
    if origin is dict:
        key_type, key_rules = describe_type(args[0])
        value_type, value_rules = describe_type(args[1])
        return (f"map of {key_type} to {value_type}",
                rules + [f"keys: {r}" for r in key_rules] + [f"values: {r}" for r in value_rules])
    if origin is typing.Literal:
        kinds = {_SCALARS.get(type(a), "value") for a in args}
        return (kinds.pop() if len(kinds) == 1 else "value"), [_literal_values(args)] + rules
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "string", [_literal_values([m.value for m in base])] + rules
    if isinstance(base, type) and issubclass(base, SecretStr):
        return "secret", rules
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "object", rules
    if named is not None:
        return named, rules
    if base in _SCALARS:
        return _SCALARS[base], rules
    raise TypeError(f"tools/docs.py cannot name the type {base!r}")


def _nested_model(hint: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model, is a list of them) for a field holding settings objects."""
    hint, _ = _without_none(hint)
    if typing.get_origin(hint) is list:
        inner = typing.get_args(hint)[0]
        return (inner, True) if isinstance(inner, type) and issubclass(inner, BaseModel) else (None, False)
    return (hint, False) if isinstance(hint, type) and issubclass(hint, BaseModel) else (None, False)


def _show(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def _profile_value(path: Sequence[str], profile: str) -> Any:
    node: Any = PROFILE_DEFAULTS[profile]
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return _UNSET
        node = node[part]
    return node


def _model_default(field: FieldInfo, key: str) -> str:
    if field.default is not PydanticUndefined:
        return "not set" if field.default is None else _show(field.default)
    if field.default_factory is not None:
        made = field.default_factory()  # type: ignore[call-arg]
        return "" if isinstance(made, BaseModel) else _show(made)
    return LOADER_DEFAULTS.get(key, "")


def default_text(field: FieldInfo, key: str, profile_path: Sequence[str] | None) -> str:
    """The model's default, or each profile's where the profile table sets the key; profiles that
    give the same value are named together."""
    model_default = _model_default(field, key)
    if profile_path is None:
        return model_default
    by_profile = {p: _profile_value(profile_path, p) for p in PROFILE_NAMES}
    if all(v is _UNSET for v in by_profile.values()):
        return model_default
    shown = {p: (model_default if v is _UNSET else _show(v)) for p, v in by_profile.items()}
    groups: dict[str, list[str]] = {}
    for profile, text in shown.items():
        groups.setdefault(text, []).append(profile)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(profiles)}: {text}" for text, profiles in groups.items())


def _has_default(field: FieldInfo, key: str, profile_path: Sequence[str] | None) -> bool:
    if not field.is_required() or key in LOADER_DEFAULTS:
        return True
    return profile_path is not None and any(_profile_value(profile_path, p) is not _UNSET for p in PROFILE_NAMES)


def cross_field_rules(key: str) -> list[str]:
    return [rule for pattern, rule in CROSS_FIELD_RULES.items() if fnmatch.fnmatchcase(key, pattern)]


def _shapes(top_level_key: str) -> str:
    shapes = SHAPE_KEYS.get(top_level_key)
    if shapes is None:
        return "all"
    return ", ".join(s.value for s in Shape if s in shapes)


def _field_validator_rules(model: type[BaseModel], name: str) -> list[str]:
    decorators = model.__pydantic_decorators__
    rules = [validator_rule(d.func) for d in decorators.field_validators.values() if name in d.info.fields]
    return [r for r in rules if r is not None]


def _check_model_validators(model: type[BaseModel]) -> None:
    for decorator in model.__pydantic_decorators__.model_validators.values():
        validator_rule(decorator.func)  # known (a new one must say what it allows)


def _walk(model: type[BaseModel], prefix: tuple[str, ...], profile_prefix: tuple[str, ...] | None,
          within: str | None, area: str) -> Iterator[ConfigKey]:
    _check_model_validators(model)
    hints = typing.get_type_hints(model, include_extras=True)
    for name, field in model.model_fields.items():
        if not prefix and name in RUNTIME_ONLY:
            continue
        part = RUNTIME_KEYS.get(name, field.alias or name) if not prefix else (field.alias or name)
        key = ".".join((*prefix, part))
        profile_path = None if profile_prefix is None else (*profile_prefix, part)
        hint = hints[name]
        nested, is_list = _nested_model(hint)
        description = field.description or ""
        has_default = _has_default(field, key, profile_path)
        if key in REQUIRED_WHEN:
            required = f"required {REQUIRED_WHEN[key]}"
        elif not has_default:
            required = "required" if within is None else f"required {within}"
        else:
            required = "optional"
        if nested is not None:
            if is_list:
                child_within: str | None = f"in each `{key}` entry"
            elif key in REQUIRED_WHEN:
                child_within = REQUIRED_WHEN[key]
            elif field.default is None:
                child_within = f"with `{key}`"
            else:
                child_within = within
            if prefix:  # a top-level object is a section of its own, not a row
                type_name = "list of objects" if is_list else "object"
                rules = _constraint_rules(field.metadata, list if is_list else nested) + cross_field_rules(key)
                default = "not set" if field.default is None else _model_default(field, key) or "per key"
                yield ConfigKey(key, type_name, default, "; ".join(dict.fromkeys(rules)),
                                _shapes(prefix[0]), required, description or _docstring(nested), area)
            child_prefix = (*prefix, f"{part}[]" if is_list else part)
            child_profile = None if is_list or profile_path is None else profile_path
            yield from _walk(nested, child_prefix, child_profile, child_within, area or part)
            continue
        type_name, rules = describe_type(hint, field.metadata)
        rules += _field_validator_rules(model, name) + cross_field_rules(key)
        yield ConfigKey(key, type_name, default_text(field, key, profile_path), "; ".join(dict.fromkeys(rules)),
                        _shapes(prefix[0] if prefix else part), required, description, area)


def _docstring(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


def config_keys() -> list[ConfigKey]:
    """Every key of the stack configuration, in the models' order."""
    return list(_walk(Settings, (), (), None, ""))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _area_sections() -> list[tuple[str, str, list[ConfigKey]]]:
    """(title, introduction, keys) per section: the general keys, each top-level object, the secrets."""
    keys = config_keys()
    fields = {(f.alias or n): (n, f) for n, f in Settings.model_fields.items()}
    hints = typing.get_type_hints(Settings, include_extras=True)
    general = [k for k in keys if not k.area and k.type != "secret" and "secret" not in k.type]
    secrets = [k for k in keys if not k.area and k not in general]
    sections = [("General", "Keys at the top level of the project namespace, and the region.", general)]
    for area in dict.fromkeys(k.area for k in keys if k.area):
        name, field = fields[area]
        nested, _ = _nested_model(hints[name])
        intro = field.description or (_docstring(nested) if nested is not None else "")
        sections.append((f"`{area}`", intro, [k for k in keys if k.area == area]))
    sections.append(("Secrets", "Credentials: set each with `pulumi config set --secret` (a map such as "
                                "`hybridApiKeys` one entry at a time, with `--secret --path`: every entry must "
                                "be encrypted, since one `secure:` entry does not encrypt the others beside it). "
                                "Their values never appear in messages.", secrets))
    return sections


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def config_reference() -> str:
    sections = _area_sections()
    lines = ["Sections: " + ", ".join(f"[{title.strip('`')}](#{_anchor(title)})" for title, _, _ in sections) + ".", ""]
    for title, intro, keys in sections:
        lines += [f"### {title}", ""]
        if intro:
            lines += [intro.rstrip(".") + ".", ""]
        lines += ["| key | type | default | allowed | shapes | required | meaning |",
                  "|---|---|---|---|---|---|---|"]
        for k in keys:
            meaning = k.meaning
            if k.key.split(".")[0] in SECRET_KEYS:
                meaning = f"{meaning.rstrip('.')}. Set with `pulumi config set --secret`."
            lines.append("| " + " | ".join(_cell(c) for c in (
                f"`{k.key}`", k.type, k.default or "no default", k.allowed or "—", k.shapes, k.required,
                meaning)) + " |")
        lines.append("")
    return "\n".join(lines)


# -- policies --------------------------------------------------------------------------------

def policy_table() -> str:
    from tools.engine.policy_check import ALL_RULES, WHY  # the pack's rules (policy_check knows where the pack lives)
    lines = ["| rule | level | checks | why |", "|---|---|---|---|"]
    lines += [f"| `{r.name}` | {r.enforcement} | {r.description} | {WHY[r.name]} |" for r in ALL_RULES]
    return "\n".join(lines) + "\n"


# -- stacks ----------------------------------------------------------------------------------

def stack_plan(stack: str) -> dict[str, Any]:
    config = load_stack_config(stack=stack)
    run = run_program(config.values, stack=stack, project=config.project, secret_keys=config.secret_keys)
    return build_plan(run)


@dataclasses.dataclass(frozen=True)
class StackFacts:
    """What the documents say about one shipped stack, from its offline plan."""

    stack: str
    shape: str
    profile: str
    resources: int
    cost: CostEstimate
    minutes: int
    diagram: str

    @property
    def total(self) -> str:
        # An unpriced line makes the total unknown: say so rather than print a smaller number.
        if self.cost.total_usd is not None:
            return f"{self.cost.total_usd:,.2f} USD"
        return f"unpriced ({len(self.cost.unpriced)} lines have no price in {self.cost.region})"


def stack_facts(stack: str, plan: Mapping[str, Any]) -> StackFacts:
    region = next((r["inputs"]["region"] for r in plan["resources"] if r["type"] == "pulumi:providers:aws"), "us-east-1")
    config = load_stack_config(stack=stack)
    return StackFacts(
        stack=stack,
        shape=config.values[f"{config.project}:shape"],
        profile=config.values[f"{config.project}:profile"],
        resources=sum(1 for r in plan["resources"] if r["custom"]),
        cost=estimate(items_from_plan(plan), region),
        minutes=timeline_summary(plan)["estimatedMinutes"],
        diagram=mermaid(plan).rstrip(),
    )


def stacks_summary(facts: Sequence[StackFacts]) -> str:
    lines = ["| stack | shape | profile | resources | estimated USD / month | first `pulumi up` |",
             "|---|---|---|---:|---:|---:|"]
    for f in facts:
        total = f"{f.cost.total_usd:,.2f}" if f.cost.total_usd is not None else "unpriced"
        lines.append(f"| `{f.stack}` | {f.shape} | {f.profile} | {f.resources} | {total} | {_duration(f.minutes, 'min')} |")
    return "\n".join(lines) + "\n"


def stacks_section(facts: Sequence[StackFacts]) -> str:
    lines: list[str] = []
    for f in facts:
        lines += [
            f"### `{f.stack}`",
            "",
            f"Shape {f.shape}, profile {f.profile}: {f.resources} resources. Estimated first `pulumi up`: "
            f"**{_duration(f.minutes, 'minutes')}**. Monthly cost: **{f.total}** ([by line](cost.md#{f.stack})).",
            "",
            "```mermaid",
            f.diagram,
            "```",
            "",
        ]
    return "\n".join(lines)


def stack_costs_section(facts: Sequence[StackFacts]) -> str:
    lines: list[str] = []
    for f in facts:
        c = f.cost
        rows = [f"| {category} | {usd:,.2f} |"
                for category, usd in sorted(c.by_category().items(), key=lambda kv: (-kv[1], kv[0]))]
        lines += [
            f"### `{f.stack}`",
            "",
            f"Estimated monthly cost: **{f.total}** (on-demand list prices, {c.region}, as of {c.prices_as_of}; "
            "usage-based charges not included).",
            "",
            "| cost line | USD / month |",
            "|---|---:|",
            *rows,
            "",
        ]
    return "\n".join(lines)


# -- the files ---------------------------------------------------------------------------------

def sections(plans: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every generated section's text, by name."""
    facts = [stack_facts(stack, plans[stack]) for stack in STACKS]
    return {
        "stacks-summary": stacks_summary(facts),
        "config-reference": config_reference(),
        "stacks": stacks_section(facts),
        "stack-costs": stack_costs_section(facts),
        "policies": policy_table(),
    }


def render(text: str, generated: Mapping[str, str]) -> str:
    """`text` with each named section replaced; every name must have its markers in the text."""
    for name, body in generated.items():
        pattern = re.compile(rf"(<!-- generated:{name}:start -->\n).*?(<!-- generated:{name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"no generated:{name} markers")
        text = pattern.sub(lambda m: m.group(1) + body + m.group(2), text)
    return text


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def documents(plans: Mapping[str, Mapping[str, Any]]) -> dict[Path, tuple[str, str]]:
    """(current, up-to-date) text of every file that holds a generated section."""
    generated = sections(plans)
    by_file: dict[Path, dict[str, str]] = {}
    for name, path in GENERATED.items():
        by_file.setdefault(path, {})[name] = generated[name]
    result: dict[Path, tuple[str, str]] = {}
    for path, bodies in by_file.items():
        current = path.read_text()
        try:
            result[path] = (current, render(current, bodies))
        except ValueError as exc:
            raise ValueError(f"{_shown(path)}: {exc}") from None
    return result


def main(argv: Sequence[str] | None = None, plan_for: Callable[[str], Mapping[str, Any]] = stack_plan) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.docs",
                                     description="Regenerate the generated sections of README.md and docs/.")
    parser.add_argument("--check", action="store_true", help="fail if a generated section is stale instead of writing it")
    args = parser.parse_args(argv)
    files = documents({stack: plan_for(stack) for stack in STACKS})
    stale = [path for path, (current, updated) in files.items() if current != updated]
    if args.check:
        for path in stale:
            print(f"{_shown(path)} is stale: run `.venv/bin/python -m tools.docs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path][1])
    return 0


def _duration(minutes: int, unit: str) -> str:
    """A first deploy's estimate as a reader says it (a role-only stack takes seconds, not "0 min")."""
    return "under a minute" if minutes < 1 else f"about {minutes} {unit}"


if __name__ == "__main__":
    sys.exit(main())

