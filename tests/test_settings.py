"""Settings: defaults per profile, and one clear error listing every bad key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from settings import ConfigError, Profile, Shape, parse_config
from tests.conftest import PROJECT, key

BASE = {key("shape"): "self-hosted", key("profile"): "dev", "aws:region": "us-east-1",
        key("licenseKey"): "lic-0000",
        key("langsmith"): json.dumps({"domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC",
                                      "auth": "basic", "adminEmail": "admin@example.com"}),
        # Something must reach the private API (cluster rule): here, pulumi runs inside the VPC.
        key("cluster"): json.dumps({"deployerInsideVpc": True})}
SECRETS = {key("licenseKey"), key("postgresExternalUri"), key("clickhouseExternalPassword")}


def parse(overrides: dict[str, Any] | None = None, *, drop: tuple[str, ...] = (), stack: str = "dev",
          secret_keys: set[str] = SECRETS):
    values = {**BASE}
    for name, value in (overrides or {}).items():
        full = name if ":" in name else key(name)
        values[full] = value if isinstance(value, str) else json.dumps(value)
    for name in drop:
        values.pop(name if ":" in name else key(name))
    return parse_config(values, project=PROJECT, stack=stack, secret_keys=secret_keys)


def errors(overrides: dict[str, Any] | None = None, **kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(overrides, **kwargs)
    return info.value


def test_dev_profile_defaults():
    s = parse()
    assert s.shape is Shape.SELF_HOSTED and s.profile is Profile.DEV
    assert s.network.nat_gateways == "single"
    assert s.network.az_count == 3
    assert s.protect_data is False
    assert s.log_retention_days == 30
    assert s.name_prefix == "ls-dev"
    assert s.cluster_name == "ls-dev-eks"


def test_production_profile_defaults():
    s = parse({"profile": "production"}, stack="prod")
    assert s.network.nat_gateways == "per-az"
    assert s.protect_data is True
    assert s.log_retention_days >= 365
    assert "sts" in s.network.interface_endpoints


def test_user_values_override_profile_defaults_key_by_key():
    s = parse({"profile": "production", "network": {"natGateways": "single"}})
    assert s.network.nat_gateways == "single"
    assert s.network.az_count == 3  # the profile's other network defaults remain
    assert s.network.cidr == "10.0.0.0/16"


def test_scalar_strings_are_coerced_like_pulumi_config():
    s = parse({"protectData": "true", "logRetentionDays": "90"})
    assert s.protect_data is True and s.log_retention_days == 90


def test_bad_cidr_and_unknown_profile_are_both_named():
    err = errors({"profile": "huge", "network": {"cidr": "10.0.0.0/33"}})
    message = str(err)
    assert f"{PROJECT}:profile = 'huge'" in message
    assert "'dev', 'production' or 'production-large'" in message
    assert f"{PROJECT}:network.cidr = '10.0.0.0/33'" in message
    assert "IPv4 CIDR" in message
    # the unknown profile supplies no defaults, but that is not reported as missing keys
    assert [i.key for i in err.issues] == ["profile", "network.cidr"]


@pytest.mark.parametrize("cidr, allowed", [
    ("10.0.0.0/8", "between /16 and /20"),
    ("10.0.0.0/24", "between /16 and /20"),
    ("8.8.0.0/16", "private"),
    ("10.0.0.1/16", "IPv4 CIDR"),
    ("not-a-cidr", "IPv4 CIDR"),
])
def test_vpc_cidr_rules(cidr: str, allowed: str):
    err = errors({"network": {"cidr": cidr}})
    (issue,) = err.issues
    assert issue.key == "network.cidr" and issue.value == cidr and allowed in issue.allowed


def test_too_few_availability_zones():
    (issue,) = errors({"network": {"azCount": 1}}).issues
    assert issue.key == "network.azCount" and issue.value == 1
    assert "greater than or equal to 2" in issue.allowed


def test_wrong_type_is_reported_with_its_value():
    (issue,) = errors({"network": {"azCount": "three"}}).issues
    assert issue.key == "network.azCount" and issue.value == "three"
    assert "integer" in issue.allowed


def test_missing_required_keys():
    err = errors(drop=("shape", "aws:region"))
    by_key = {i.key: i for i in err.issues}
    assert set(by_key) == {"shape", "aws:region"}
    assert "self-hosted, hybrid, byoc or agent-server" in by_key["shape"].allowed
    assert "(not set)" in str(err) and "aws:region = (not set): is required" in str(err)


@pytest.mark.parametrize("auth", [{"auth": "basic"}, {"auth": "oidc", "oidc": {
    "clientId": "langsmith", "issuerUrl": "https://login.example.com/oauth2/default"}}])
def test_every_auth_mode_needs_the_initial_organisation_admin(auth: dict[str, Any]):
    """The chart's auth-bootstrap hook creates the first organisation from the admin email for
    every auth mode: with SSO and no email there is no organisation and nobody may create one."""
    langsmith = {"domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC", **auth}
    (issue,) = errors({"langsmith": langsmith}).issues
    assert issue.key == "langsmith.adminEmail" and "is required" in issue.allowed


def test_unknown_keys_are_errors_with_a_suggestion():
    err = errors({"netwrok": {"cidr": "10.0.0.0/16"}, "network": {"natGateway": "single"}})
    by_key = {i.key: i for i in err.issues}
    assert "did you mean 'network'?" in by_key["netwrok"].allowed
    assert by_key["network.natGateway"].allowed.startswith("unknown key; did you mean 'natGateways'? Allowed keys here:")
    assert "azCount" in by_key["network.natGateway"].allowed


def test_unknown_enum_values_list_what_is_allowed():
    (issue,) = errors({"network": {"natGateways": "two"}}).issues
    assert issue.key == "network.natGateways" and "'single' or 'per-az'" in issue.allowed


def test_object_keys_must_be_json():
    (issue,) = errors({"network": "{cidr: 10.0.0.0/16"}).issues
    assert issue.key == "network" and "not valid JSON" in issue.allowed


def test_log_retention_must_be_a_cloudwatch_period():
    (issue,) = errors({"logRetentionDays": 100}).issues
    assert issue.key == "logRetentionDays" and "365" in issue.allowed


def test_production_needs_a_year_of_logs():
    (issue,) = errors({"profile": "production", "logRetentionDays": 30}).issues
    assert issue.key == "logRetentionDays" and "365 or more" in issue.allowed


def test_explicit_zones_must_match_count_and_region():
    err = errors({"network": {"azCount": 3, "availabilityZones": ["us-east-1a", "us-west-2b"]}})
    messages = [i.allowed for i in err.issues if i.key == "network.availabilityZones"]
    assert any("exactly network.azCount (3)" in m for m in messages)
    assert any("zones of the region us-east-1" in m for m in messages)


def test_existing_network_needs_valid_ids_and_two_public_subnets_for_self_hosted():
    err = errors({"network": {"existing": {
        "vpcId": "vpc-123", "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}}})
    keys = {i.key for i in err.issues}
    assert "network.existing.vpcId" in keys
    err = errors({"network": {"existing": {
        "vpcId": "vpc-0123456789abcdef0",
        "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}}})
    assert [i.key for i in err.issues] == ["network.existing.publicSubnetIds"]


def test_public_subnets_cannot_double_as_private():
    shared = "subnet-0123456789abcdef0"
    (issue,) = errors({"network": {"existing": {
        "vpcId": "vpc-0123456789abcdef0",
        "publicSubnetIds": [shared, "subnet-0123456789abcdef2"],
        "privateSubnetIds": [shared, "subnet-0123456789abcdef1"]}}}).issues
    assert issue.key == "network.existing.publicSubnetIds" and issue.value == [shared]


def test_reserved_tag_keys_are_rejected():
    err = errors({"tags": {"aws:owner": "me"}})
    assert any(i.key.startswith("tags") and "reserved" in i.allowed for i in err.issues)


def test_every_problem_is_in_one_message():
    err = errors({"profile": "huge", "network": {"cidr": "x", "azCount": 9}, "bogus": 1}, drop=("aws:region",))
    assert {i.key for i in err.issues} == {"profile", "network.cidr", "network.azCount", "bogus", "aws:region"}
    assert str(err).startswith("invalid stack configuration (5 problems):")


def test_config_error_is_a_pulumi_run_error():
    """The CLI prints a RunError's message without a traceback."""
    import pulumi
    assert issubclass(ConfigError, pulumi.RunError)


def test_bad_config_registers_nothing(monkeypatch: pytest.MonkeyPatch):
    """The error comes before the first resource: nothing is half-created."""
    from tests.conftest import run_stack
    from tools.engine import harness
    registered: list[str] = []
    original = harness.RecordingMonitor.RegisterResource

    def spy(self: harness.RecordingMonitor, request: Any) -> Any:
        registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(harness.RecordingMonitor, "RegisterResource", spy)
    with pytest.raises(ConfigError):
        run_stack("dev", {"network": {"cidr": "10.0.0.0/33"}})
    assert [t for t in registered if t != "pulumi:pulumi:Stack"] == []


def test_region_with_too_few_zones_is_a_config_error(monkeypatch: pytest.MonkeyPatch):
    from tests.conftest import run_stack
    from tools.engine import harness, mocks
    registered: list[str] = []
    original_call = mocks.AwsMocks.call
    original_register = harness.RecordingMonitor.RegisterResource

    def two_zones(self: mocks.AwsMocks, args: Any) -> Any:
        result, failures = original_call(self, args)
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            result = {**result, "names": result["names"][:2]}
        return result, failures

    def spy(self: harness.RecordingMonitor, request: Any) -> Any:
        registered.append(request.type)
        return original_register(self, request)

    monkeypatch.setattr(mocks.AwsMocks, "call", two_zones)
    monkeypatch.setattr(harness.RecordingMonitor, "RegisterResource", spy)
    with pytest.raises(ConfigError) as err:
        run_stack("dev", {"network": {"cidr": "10.9.0.0/16"}})  # not a cached run
    (issue,) = err.value.issues
    assert issue.key == "network.azCount" and "only 2 available zones" in issue.allowed
    assert [t for t in registered if t != "pulumi:pulumi:Stack"] == []
