"""The configuration reference (docs/configuration.md, `python -m tools.docs`) says what the settings do.

Its types read as a person writes values (no Python or pydantic internals), its "required" column
is what the loader actually refuses to go without, its shape column is the loader's shape-only
keys, and the three tables the generator cannot read off a model (validator rules, keys a
cross-field rule requires, cross-field limits) are held to the settings code.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from typing import Any, Mapping

import pytest

from settings import ConfigError, Settings, Shape, parse_config
from settings.loader import SHAPE_KEYS
from tests.conftest import PROJECT, stack_values
from tools import docs as generator
from tools.engine.harness import PROJECT_ROOT

KEYS = {k.key: k for k in generator.config_keys()}
# A stack of each shape whose committed file the cases below start from.
STACK_OF_SHAPE = {"self-hosted": "dev", "hybrid": "hybrid", "byoc": "byoc", "agent-server": "agent-server"}
DROP: Any = object()


# -- a stack file as a tree of keys ------------------------------------------------------------------

def stack_tree(stack: str) -> tuple[dict[str, Any], set[str]]:
    """The committed stack file's config as nested values by key, and its secret keys."""
    values, secrets = stack_values(stack)
    tree = {k.removeprefix(f"{PROJECT}:"): json.loads(v) if v[:1] in "{[" else v for k, v in values.items()}
    return tree, {k.removeprefix(f"{PROJECT}:") for k in secrets}


def with_changes(tree: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`tree` with each dotted key set to its value, or removed for DROP."""
    result = copy.deepcopy(dict(tree))
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = result
        for part in parents:
            node = node.setdefault(part, {})
        if value is DROP:
            node.pop(last, None)
        else:
            node[last] = value
    return result


def parse(stack: str, tree: Mapping[str, Any], secrets: set[str]) -> Settings:
    values = {(k if ":" in k else f"{PROJECT}:{k}"): v if isinstance(v, str) else json.dumps(v) for k, v in tree.items()}
    return parse_config(values, project=PROJECT, stack=stack,
                        secret_keys={f"{PROJECT}:{k}" for k in secrets if k in tree})


def refusal(stack: str, tree: Mapping[str, Any], secrets: set[str]) -> str:
    with pytest.raises(ConfigError) as raised:
        parse(stack, tree, secrets)
    return str(raised.value)


def names(message: str, key: str) -> bool:
    """Whether a config error names `key`: as the key of a problem, or (a rule reported at a
    sibling key) by its last part in the problem's text."""
    return f"{PROJECT}:{key} " in message or f"{PROJECT}:{key}." in message or \
        re.search(rf"\b{re.escape(key.split('.')[-1])}\b", message) is not None


# -- types ---------------------------------------------------------------------------------------------

def test_no_type_is_written_as_python():
    reference = generator.config_reference()
    for leak in ("ForwardRef", "Annotated", "typing.", "<class", "SecretStr", "Literal[", "NoneType", "Optional"):
        assert leak not in reference, leak
    for key in KEYS.values():
        assert re.fullmatch(r"[A-Za-z0-9 ()\-]+", key.type), f"{key.key}: {key.type!r}"


def test_types_read_as_a_person_writes_values():
    assert KEYS["clickhouse.cpu"].type == "Kubernetes CPU quantity"  # was ForwardRef('CpuQuantity')
    assert "millicores (500m)" in KEYS["clickhouse.cpu"].allowed
    assert KEYS["langsmith.components.backend.memory"].type == "Kubernetes memory quantity"
    assert KEYS["licenseKey"].type == "secret" and KEYS["hybridApiKeys"].type == "map of string to secret"
    assert KEYS["network.natGateways"].type == "string"
    assert KEYS["network.natGateways"].allowed.startswith("one of `single`, `per-az`")
    assert KEYS["shape"].allowed == "one of `self-hosted`, `hybrid`, `byoc`, `agent-server`"  # an enum's values
    assert KEYS["network.interfaceEndpoints"].type == "list of strings"
    assert KEYS["network.interfaceEndpoints"].allowed.startswith("each one of `sts`, `ecr.api`")
    assert KEYS["cluster.adminRoleArns"].type == "list of IAM role ARNs"
    assert KEYS["tags"].type == "map of string to string"
    assert KEYS["network.azCount"].allowed.startswith("2 to 6")
    assert KEYS["network.existing.privateSubnetIds"].allowed.startswith("at least 2 entries")
    assert KEYS["logRetentionDays"].allowed.startswith("must be one of the CloudWatch Logs retention periods: 1, 3, 5")
    assert KEYS["langsmith.chartVersion"].allowed.startswith("must be a supported langsmith chart version: ")
    assert KEYS["hybrid.listeners"].type == "list of objects"


def test_defaults_come_from_the_model_the_profiles_and_the_loader():
    assert KEYS["network.cidr"].default == "`10.0.0.0/16`"
    assert KEYS["clickhouse.cpu"].default == "dev: `2`; production: `6`; production-large: `14`"
    assert KEYS["postgres.multiAz"].default == "dev, production: `false`; production-large: `true`"
    assert KEYS["network.azCount"].default == "`3`"  # every profile gives the same value
    assert KEYS["namePrefix"].default.startswith("`ls-<stack>`")
    assert KEYS["langsmith.domain"].default == "not set" and KEYS["tags"].default == "`{}`"
    assert KEYS["shape"].default == ""
    tree, secrets = stack_tree("dev")
    assert "namePrefix" not in tree and parse("dev", tree, secrets).name_prefix == "ls-dev"  # the loader's default


# -- required or optional -------------------------------------------------------------------------------

def test_optional_keys_are_not_labelled_required():
    # Keys of an optional object are required only with it: the old reference said "required".
    assert KEYS["network.existing.vpcId"].required == "required with `network.existing`"
    assert KEYS["langsmith.oidc.clientId"].required == "required with `langsmith.auth: oidc`"
    assert KEYS["hybrid.listeners[].name"].required == "required in each `hybrid.listeners` entry"
    # A default from the loader or a profile makes a key optional.
    for key in ("namePrefix", "clickhouse.cpu", "network.azCount", "cluster.generalPool.minSize", "tags"):
        assert KEYS[key].required == "optional", key
    assert KEYS["licenseKey"].required == "required for self-hosted and agent-server"


def required_for(shape: str) -> set[str]:
    """Keys the reference says a stack of `shape` must set, its defaults otherwise unchanged
    (`langsmith.auth` is `basic` by default, which requires `langsmith.adminEmail`)."""
    found = {k for k, row in KEYS.items() if row.required == "required"
             or re.fullmatch(rf"required for (?:[\w-]+ and )?{shape}(?: and [\w-]+)?(, .*)?", row.required)}
    return found | ({"langsmith.adminEmail"} if shape == "self-hosted" else set())


# One way to reach the Kubernetes API (see cluster.deployerAccessCidrs), needed by every stack with a cluster.
REACH_THE_API = {"self-hosted": {"cluster": {"deployerInsideVpc": True}},
                 "hybrid": {"cluster": {"deployerInsideVpc": True}}, "byoc": {},
                 "agent-server": {"cluster": {"deployerInsideVpc": True}}}


def minimal_tree(shape: str) -> tuple[str, dict[str, Any], set[str]]:
    """The shape's stack file cut down to the keys the reference calls required."""
    stack = STACK_OF_SHAPE[shape]
    full, secrets = stack_tree(stack)
    tree: dict[str, Any] = dict(REACH_THE_API[shape])
    for key in sorted(required_for(shape)):
        node: Any = full
        for part in key.split("."):
            node = node[part]
        *parents, last = key.split(".")
        target = tree
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = node
    return stack, tree, secrets


@pytest.mark.parametrize("shape", [s.value for s in Shape])
def test_a_stack_needs_only_the_keys_the_reference_calls_required(shape: str):
    assert {"aws:region", "shape", "profile"} <= required_for(shape)
    stack, tree, secrets = minimal_tree(shape)
    parse(stack, tree, secrets)  # nothing the reference calls optional is missing
    for key in sorted(required_for(shape) - {"shape", "profile"}):
        assert names(refusal(stack, with_changes(tree, {key: DROP}), secrets), key), \
            f"{key} is labelled required, but a {shape} stack without it is not refused for it"


# Each key a cross-field rule requires: the stack it is tried on, and what makes the rule apply
# (the key's value when it is set: the rule must then pass).
REQUIRED_CASES: dict[str, tuple[str, dict[str, Any], Any]] = {
    "licenseKey": ("dev", {}, "the-license"),
    "langsmith": ("dev", {}, {"domain": "langsmith.example.com", "hostedZoneId": "Z0123456789ABC",
                              "adminEmail": "admin@example.com"}),
    "langsmith.domain": ("dev", {}, "langsmith.example.com"),
    "langsmith.hostedZoneId": ("dev", {}, "Z0123456789ABC"),
    "langsmith.adminEmail": ("dev", {}, "admin@example.com"),
    "langsmith.oidc": ("dev", {"langsmith.auth": "oidc"},
                       {"clientId": "langsmith", "issuerUrl": "https://login.example.com/oauth2/default"}),
    "clickhouse.externalHost": ("dev", {"clickhouse.mode": "external", "clickhouseExternalPassword": "pw"},
                                "ch.example.com"),
    "clickhouseExternalPassword": ("dev", {"clickhouse.mode": "external", "clickhouse.externalHost": "ch.example.com"},
                                   "pw"),
    "postgresExternalUri": ("dev", {"postgres.external": True}, "user:pw@db.example.com:5432/langsmith?sslmode=require"),
    "network.existing.publicSubnetIds": ("dev", {"network.cidr": DROP, "network.existing": {
        "vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}},
        ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]),
    "hybrid.listeners": ("hybrid", {}, None),
    "hybrid.domain": ("hybrid", {}, None),
    "hybrid.hostedZoneId": ("hybrid", {}, None),
    "hybrid.hostBackendUrl": ("hybrid", {"hybrid.controlPlane": "self-hosted",
                                         "hybrid.smithBackendUrl": "https://smith.example.com"}, "https://host.example.com"),
    "hybrid.smithBackendUrl": ("hybrid", {"hybrid.controlPlane": "self-hosted",
                                          "hybrid.hostBackendUrl": "https://host.example.com"}, "https://smith.example.com"),
    "hybridApiKeys": ("hybrid", {}, None),
    "byocExternalId": ("byoc", {}, None),
    "byoc.contract": ("byoc", {}, "eks"),
    "agentServer.servers": ("agent-server", {}, None),
    "agentServer.domain": ("agent-server", {}, None),
    "agentServer.hostedZoneId": ("agent-server", {}, None),
    "agentServer.tracing.endpoint": ("agent-server", {"agentServer.tracing.target": "self-hosted"},
                                     "https://langsmith.example.com/api/v1"),
    "agentServerApiKey": ("agent-server", {}, None),
    "restoreSecrets": ("prod", {"restore.postgresSnapshot": "ls-prod-postgres-final"},
                       {"apiKeySalt": "old-salt", "jwtSecret": "old-jwt"}),
}
SECRET_CASE_KEYS = {"licenseKey", "clickhouseExternalPassword", "postgresExternalUri", "restoreSecrets"}


def test_every_cross_field_requirement_has_a_case():
    assert set(REQUIRED_CASES) == set(generator.REQUIRED_WHEN)


@pytest.mark.parametrize("key", sorted(generator.REQUIRED_WHEN))
def test_a_key_required_by_a_rule_is_refused_missing_when_the_rule_applies(key: str):
    stack, condition, value = REQUIRED_CASES[key]
    tree, secrets = stack_tree(stack)
    secrets |= SECRET_CASE_KEYS
    given = with_changes(tree, {**condition, **({key: value} if value is not None else {})})
    parse(stack, given, secrets)  # with the key, the rule is met
    assert names(refusal(stack, with_changes(given, {key: DROP}), secrets), key), \
        f"the reference says {key} is required {generator.REQUIRED_WHEN[key]}, but the config check does not ask for it"


def _problem_keys_in_settings() -> set[str]:
    """Keys the settings' cross-field rules report: `(key, value, message)` tuples in settings/
    whose key is a literal or an f-string (`cluster.{pool_key}.maxSize`)."""
    pattern = re.compile(r"(?:append\(\(|\[\(|^\s*\(|\(\()\s*f?\"([a-z][\w.{}\[\]]*)\",\s*[^,\n]+,", re.M)
    found: set[str] = set()
    for source in sorted((PROJECT_ROOT / "settings").rglob("*.py")):
        found |= set(pattern.findall(source.read_text()))
    return {k for k in found if "." in k or "{" in k or k in KEYS}


def documented(key: str) -> bool:
    return key in generator.REQUIRED_WHEN or bool(generator.cross_field_rules(key))


def matching_keys(reported: str) -> list[str]:
    """The reference's keys a reported key stands for: `[{i}]` is a list entry, `{...}` any part."""
    reported = re.sub(r"\[\{[^}]*\}\]", "[]", reported)
    pattern = "[^.]+".join(re.escape(piece) for piece in re.split(r"\{[^}]*\}", reported))
    return [k for k in KEYS if re.fullmatch(pattern, k)] or ([reported] if reported in generator.REQUIRED_WHEN else [])


def test_every_key_a_cross_field_rule_reports_is_documented():
    reported = _problem_keys_in_settings()
    assert len(reported) >= 20, f"the scan of settings/ found too few rules: {sorted(reported)}"
    undocumented = sorted(k for k in reported if not any(documented(m) for m in matching_keys(k)))
    assert not undocumented, ("rules across keys the reference does not state (tools/docs.py REQUIRED_WHEN or "
                              f"CROSS_FIELD_RULES): {undocumented}")


def test_cross_field_rules_name_real_keys():
    for pattern in generator.CROSS_FIELD_RULES:
        assert any(fnmatch.fnmatchcase(k, pattern) for k in KEYS), pattern
    for key in generator.REQUIRED_WHEN:
        assert key in KEYS or key in {f.alias or n for n, f in Settings.model_fields.items()}, key


# -- validators ----------------------------------------------------------------------------------------

def test_every_validator_rule_is_used_and_every_validator_has_one(monkeypatch: pytest.MonkeyPatch):
    seen: set[str] = set()
    described = generator.validator_rule

    def recording(func: Any) -> str | None:
        seen.add(generator._qualname(func))
        return described(func)
    monkeypatch.setattr(generator, "validator_rule", recording)
    generator.config_keys()  # raises for a validator without a rule
    unused = set(generator.VALIDATOR_RULES) - seen
    assert not unused, f"VALIDATOR_RULES names validators the settings no longer have: {sorted(unused)}"


def test_a_validator_without_a_rule_stops_the_generation():
    def _check_something_new(value: str) -> str:
        return value
    with pytest.raises(KeyError, match="_check_something_new"):
        generator.validator_rule(_check_something_new)


# -- shapes --------------------------------------------------------------------------------------------

def test_the_shapes_column_is_the_loaders_shape_only_keys():
    for key, row in KEYS.items():
        top = key.split(".")[0].split("[")[0]
        shapes = SHAPE_KEYS.get(top)
        expected = "all" if shapes is None else ", ".join(s.value for s in Shape if s in shapes)
        assert row.shapes == expected, key


@pytest.mark.parametrize("top", sorted(SHAPE_KEYS))
def test_a_shape_only_key_is_refused_on_another_shape(top: str):
    other = next(s.value for s in Shape if s not in SHAPE_KEYS[top])
    stack = STACK_OF_SHAPE[other]
    tree, secrets = stack_tree(stack)
    value: Any = "x" if top in KEYS and KEYS[top].type == "secret" else {}  # an object or a map: empty
    message = refusal(stack, with_changes(tree, {top: value}), secrets | {top})
    assert f"{PROJECT}:{top} " in message and "only applies to shape" in message

