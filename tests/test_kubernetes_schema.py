"""Every Kubernetes object the program creates is valid for the cluster's Kubernetes version.

- Built-in kinds: the Kubernetes OpenAPI schema of KUBERNETES_VERSION (kubernetes-validate, strict:
  an unknown field is an error, as `kubectl apply --validate=strict` and server-side apply refuse it).
- Custom resources (ExternalSecret, SecretStore, TargetGroupBinding, Gateway, GatewayClass,
  EnvoyProxy): the openAPIV3Schema of the CRD shipped by the controller's chart at its pinned
  version (data/crds/schemas.json, derived by data/crds/generate.py), with unknown fields an
  error (the API server would prune them silently). CEL rules (x-kubernetes-validations) are not
  evaluated. Their metadata is checked as ObjectMeta.
- Helm releases are not objects of their own; their values are checked against the charts elsewhere.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pytest

from components.versions import KUBERNETES_VERSION
from data.crds.generate import SCHEMAS_FILE
from tests.conftest import run_stack
from tools.engine.harness import ProgramRun, Registration
from tools.engine.mocks import unwrap

STACKS = ("dev", "prod", "hybrid", "byoc", "prod-deployments", "agent-server")
SCHEMA_VERSION = f"{KUBERNETES_VERSION}.0"
NOT_OBJECTS = {"kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"}


@pytest.fixture(scope="module", autouse=True)
def _schemas_read_once():
    """kubernetes-validate re-reads its (large) definitions file for every object: read each file once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kubernetes_validate.utils, "schema_contents", cache(kubernetes_validate.utils.schema_contents))
        yield


def integral(value: Any) -> Any:
    """Pulumi's wire format carries every number as a float; the provider sends 80, not 80.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


def manifest(registration: Registration) -> dict[str, Any]:
    return integral(unwrap(copy.deepcopy(registration.inputs)))


@cache
def crd_schemas() -> dict[str, Any]:
    return json.loads(SCHEMAS_FILE.read_text())


def closed(schema: Any) -> Any:
    """Unknown fields become errors: every object schema that lists its properties, and neither
    allows more nor preserves unknown fields, gets additionalProperties: false."""
    if isinstance(schema, list):
        return [closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed(v) for k, v in schema.items()}
    if "properties" in out and "additionalProperties" not in out \
            and not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


@cache
def validator(key: str) -> jsonschema.Draft7Validator:
    schema = closed(crd_schemas()[key]["schema"])
    schema["properties"]["metadata"] = {"type": "object"}  # ObjectMeta is checked on its own
    return jsonschema.Draft7Validator(schema)


def validate_custom_resource(obj: dict[str, Any]) -> None:
    group_version, kind = obj["apiVersion"], obj["kind"]
    key = f"{group_version}/{kind}"
    schemas = crd_schemas()
    assert key in schemas, f"{key}: no CRD of a pinned chart serves this apiVersion and kind"
    validator(key).validate(obj)
    kubernetes_validate.validate({"apiVersion": "v1", "kind": "ConfigMap", "metadata": obj["metadata"]},
                                 SCHEMA_VERSION, strict=True)


def is_builtin(obj: dict[str, Any]) -> bool:
    return defined_by_kubernetes(obj["apiVersion"], obj["kind"])


@cache
def defined_by_kubernetes(api_version: str, kind: str) -> bool:
    """Does Kubernetes itself define this apiVersion and kind (in KUBERNETES_VERSION)?"""
    try:
        kubernetes_validate.validate({"apiVersion": api_version, "kind": kind}, SCHEMA_VERSION)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        pass
    return True


def validate(obj: dict[str, Any]) -> None:
    if is_builtin(obj):
        kubernetes_validate.validate(obj, SCHEMA_VERSION, strict=True)
    else:
        validate_custom_resource(obj)


def objects(run: ProgramRun) -> list[Registration]:
    return [r for r in run.registrations if r.type.startswith("kubernetes:") and r.custom
            and r.type not in NOT_OBJECTS and not r.type.startswith("pulumi:providers:")]


@pytest.fixture(scope="module")
def runs(dev_run: ProgramRun, prod_run: ProgramRun, deployments_run: ProgramRun) -> dict[str, ProgramRun]:
    # prod-deployments: the prod stack with its LangSmith Deployment example on (tests/test_deployments.py).
    return {"dev": dev_run, "prod": prod_run, "hybrid": run_stack("hybrid"), "byoc": run_stack("byoc"),
            "prod-deployments": deployments_run, "agent-server": run_stack("agent-server")}


def test_kubernetes_validate_has_the_clusters_schema():
    assert kubernetes_validate.validate(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}, SCHEMA_VERSION, strict=True) is not None


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_validates(stack: str, runs: dict[str, ProgramRun]):
    checked: set[str] = set()
    failures: list[str] = []
    for registration in objects(runs[stack]):
        obj = manifest(registration)
        try:
            validate(obj)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError, AssertionError) as err:
            failures.append(f"{registration.name} ({obj.get('kind')}): {str(err).splitlines()[0]}")
        checked.add(registration.type)
    assert failures == []
    if stack != "byoc":  # byoc creates no Kubernetes object: LangChain runs its cluster
        assert {"kubernetes:core/v1:Namespace", "kubernetes:external-secrets.io/v1:SecretStore",
                "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"} <= checked


def test_every_custom_resource_kind_has_its_charts_schema(runs: dict[str, ProgramRun]):
    custom = {(o["apiVersion"], o["kind"]) for run in runs.values() for o in map(manifest, objects(run))
              if not is_builtin(o)}
    assert custom == {("external-secrets.io/v1", "ExternalSecret"), ("external-secrets.io/v1", "SecretStore"),
                      ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"), ("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"),
                      ("gateway.networking.k8s.io/v1", "Gateway"), ("gateway.networking.k8s.io/v1", "GatewayClass"),
                      ("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy")}
    for api_version, kind in custom:
        assert f"{api_version}/{kind}" in crd_schemas()


# -- the checks can fail ----------------------------------------------------------------------

def one(runs: dict[str, ProgramRun], stack: str, type_: str) -> dict[str, Any]:
    return manifest(runs[stack].of_type(type_)[0])


@pytest.mark.parametrize("mutate", [
    lambda o: o["spec"].update(targetGroupArn=o["spec"].pop("targetGroupARN")),   # misspelled field
    lambda o: o["spec"].update(targetType="pod"),                                   # not in the enum
    lambda o: o["spec"]["serviceRef"].update(port=[80]),                            # wrong type
])
def test_a_wrong_target_group_binding_is_refused(runs: dict[str, ProgramRun], mutate: Any):
    obj = one(runs, "prod", "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")
    validate(obj)
    mutate(obj)
    with pytest.raises(jsonschema.ValidationError):
        validate(obj)


def test_a_wrong_network_policy_or_namespace_is_refused(runs: dict[str, ProgramRun]):
    (registration,) = [p for p in runs["prod"].of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                       if p.inputs["metadata"]["namespace"] == "langsmith"]
    policy = manifest(registration)
    policy["spec"]["egress"][0]["to"][0]["ipBlock"]["exception"] = ["169.254.169.254/32"]
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(policy)
    namespace = one(runs, "prod", "kubernetes:core/v1:Namespace")
    namespace["metadata"]["labels"] = {"a": 1}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(namespace)


def test_a_wrong_external_secret_is_refused(runs: dict[str, ProgramRun]):
    secret = one(runs, "prod", "kubernetes:external-secrets.io/v1:ExternalSecret")
    secret["spec"]["target"]["creationPolicy"] = "Sometimes"
    with pytest.raises(jsonschema.ValidationError):
        validate(secret)
