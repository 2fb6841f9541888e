"""The stack's `aws:` settings reach the explicit providers that create every AWS resource.

Pulumi applies the `aws:` config namespace to the default provider only (pulumi/pulumi-aws#1307):
an explicit `aws.Provider` built from `region` and tags alone would deploy with the ambient
credentials while the lookups (caller identity, zones) used the stack's profile or role.
"""

from __future__ import annotations

import inspect
import json

import pulumi_aws as aws
import pytest

from settings.aws_provider import provider_settings
from settings.loader import _aws_provider_keys
from tests.conftest import run_stack

ROLE = "arn:aws:iam::123456789012:role/ci/Deployer"
AWS_SETTINGS = {
    "aws:region": "eu-west-1",  # outside us-east-1: the health-check alarm's provider exists too
    "aws:profile": "langsmith-prod",
    "aws:assumeRoles": [{"roleArn": ROLE, "sessionName": "pulumi", "duration": "1h"}],
    "aws:allowedAccountIds": ["123456789012"],
    "aws:defaultTags": {"tags": {"owner": "platform-team", "app": "not-ours"}},
    "aws:skipRequestingAccountId": "false",
}


def test_every_allowed_aws_key_is_an_argument_of_an_explicit_provider():
    # The loader accepts exactly the provider's config keys; each must have a Provider argument to go to.
    arguments = set(inspect.signature(aws.Provider._internal_init).parameters)
    carried = provider_settings({f"aws:{k}": "1" for k in _aws_provider_keys()})
    assert set(carried.kwargs) <= arguments
    assert len(carried.kwargs) == len(_aws_provider_keys()) - 2  # region and defaultTags are merged, not copied


def test_stack_aws_settings_reach_every_explicit_provider():
    run = run_stack("prod", AWS_SETTINGS)
    providers = run.of_type("pulumi:providers:aws")
    assert {p.name for p in providers} == {"aws", "observability-us-east-1"}
    for provider in providers:
        inputs = provider.inputs
        assert inputs["profile"] == "langsmith-prod", provider.name
        roles = json.loads(inputs["assumeRoles"]) if isinstance(inputs["assumeRoles"], str) else inputs["assumeRoles"]
        assert roles[0]["roleArn"] == ROLE and roles[0]["sessionName"] == "pulumi"
        assert roles[0]["duration"] == "1h"
        allowed = inputs["allowedAccountIds"]
        assert (json.loads(allowed) if isinstance(allowed, str) else allowed) == ["123456789012"]
        assert inputs["skipRequestingAccountId"] in (False, "false")
        tags = json.loads(inputs["defaultTags"])["tags"]
        assert tags["owner"] == "platform-team" and tags["app"] == "langsmith"  # ours win a clash
    # No resource falls back to a default provider (which would read the aws:/kubernetes: namespaces alone).
    on_default = [r.name for r in run.registrations if r.custom and r.type.startswith(("aws:", "kubernetes:"))
                  and "::default" in (r.provider or "::default")]
    assert on_default == []
    # kubectl/helm through the kubeconfig must act as the cluster creator: the same profile and role.
    (cluster,) = run.of_type("eks:index:Cluster")
    opts = cluster.inputs["providerCredentialOpts"]
    assert opts == {"profileName": "langsmith-prod", "roleArn": ROLE}
    # ... and the Kubernetes providers' own kubeconfig (pulumi-eks's kubeconfigJson drops --profile).
    for provider in run.of_type("pulumi:providers:kubernetes"):
        args = exec_of(provider)["args"]
        assert args[args.index("--profile") + 1] == "langsmith-prod", provider.name
        assert args[args.index("--role-arn") + 1] == ROLE, provider.name


def exec_of(provider) -> dict:
    kubeconfig = provider.inputs["kubeconfig"]
    kubeconfig = json.loads(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return kubeconfig["users"][0]["user"]["exec"]


def test_user_tag_names_in_assumed_roles_are_not_renamed():
    carried = provider_settings({"aws:assumeRoles": json.dumps([{"roleArn": ROLE, "tags": {"CostCenter": "1"}}])})
    assert carried.kwargs["assume_roles"][0]["tags"] == {"CostCenter": "1"}


@pytest.mark.parametrize(("setting", "key"), [
    ({"aws:assumeRoles": [{"roleArn": ROLE}, {"roleArn": ROLE + "2"}]}, "aws:assumeRoles"),
    ({"aws:assumeRoles": [{"roleArn": ROLE, "externalId": "x"}]}, "aws:assumeRoles[0].externalId"),
    ({"aws:assumeRoles": [{"roleArn": ROLE, "tags": {"a": "b"}}]}, "aws:assumeRoles[0].tags"),
    ({"aws:assumeRoles": [{"roleArn": ROLE, "transitiveTagKeys": ["a"]}]}, "aws:assumeRoles[0].transitiveTagKeys"),
    ({"aws:assumeRoles": [{"roleArn": ROLE, "sourceIdentity": "me"}]}, "aws:assumeRoles[0].sourceIdentity"),
    ({"aws:assumeRoles": [{"roleArn": ROLE, "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}]},
     "aws:assumeRoles[0].policyArns"),
    ({"aws:accessKey": "AKIAEXAMPLE"}, "aws:accessKey"),
    ({"aws:sharedCredentialsFiles": ["/a", "/b"]}, "aws:sharedCredentialsFiles"),
    ({"aws:sharedConfigFiles": ["/a", "/b"]}, "aws:sharedConfigFiles"),
    ({"aws:assumeRoleWithWebIdentity": {"roleArn": ROLE, "webIdentityToken": "eyJ"}},
     "aws:assumeRoleWithWebIdentity.webIdentityToken"),
    ({"aws:endpoints": [{"sts": "https://sts.example.internal"}]}, "aws:endpoints"),
    ({"aws:insecure": "true"}, "aws:insecure"),
])
def test_what_the_kubeconfig_cannot_carry_is_refused_naming_the_key(setting: dict, key: str):
    from settings.loader import ConfigError, parse_config
    from tests.conftest import stack_values

    values, secrets = stack_values("dev")
    values.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in setting.items()})
    with pytest.raises(ConfigError) as raised:
        parse_config(values, project="langsmith-aws", stack="dev", secret_keys=secrets)
    assert key in {i.key for i in raised.value.issues}
    assert "EXAMPLE" not in str(raised.value) and "eyJ" not in str(raised.value)


def test_what_the_kubeconfig_carries_reaches_it():
    run = run_stack("dev", {"aws:profile": "p", "aws:assumeRoles": [{"roleArn": ROLE, "sessionName": "s"}],
                            "aws:sharedCredentialsFiles": ["/ci/credentials"], "aws:sharedConfigFiles": ["/ci/config"],
                            "aws:assumeRoleWithWebIdentity": {"roleArn": ROLE, "webIdentityTokenFile": "/ci/token"},
                            "aws:customCaBundle": "/ci/ca.pem", "aws:httpsProxy": "http://proxy:3128"})
    (provider, *_) = run.of_type("pulumi:providers:kubernetes")
    exec_ = exec_of(provider)
    assert exec_["args"][-4:] == ["--role-arn", ROLE, "--profile", "p"]
    assert {e["name"]: e["value"] for e in exec_["env"]} == {
        "AWS_SHARED_CREDENTIALS_FILE": "/ci/credentials", "AWS_CONFIG_FILE": "/ci/config",
        "AWS_ROLE_ARN": ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": "/ci/token", "AWS_CA_BUNDLE": "/ci/ca.pem",
        "HTTPS_PROXY": "http://proxy:3128"}


def test_byoc_has_no_kubeconfig_so_a_role_chain_is_fine():
    from settings.kubeconfig import kubeconfig_problems

    chain = {"aws:assumeRoles": json.dumps([{"roleArn": ROLE}, {"roleArn": ROLE + "2"}])}
    assert kubeconfig_problems(chain)  # refused where there is a cluster ...
    run_stack("byoc", chain)  # ... not where there is none


def test_aws_credentials_in_config_are_secrets_everywhere():
    import pytest

    from settings.loader import ConfigError, parse_config
    from tests.conftest import stack_values

    values, secrets = stack_values("dev")
    # In the provider's inputs (and so in plans and state) a credential is a secret however it was set.
    carried = provider_settings({"aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "s", "aws:token": "t",
                                 "aws:profile": "p"})
    assert carried.secret == {"access_key", "secret_key", "token"}
    # In the stack file, a secret key or session token must be encrypted.
    plain = {**values, "aws:secretKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    with pytest.raises(ConfigError) as raised:
        parse_config(plain, project="langsmith-aws", stack="dev", secret_keys=secrets)
    assert "aws:secretKey = '[redacted]': is a credential" in str(raised.value)
    assert "wJalr" not in str(raised.value)
    # Encrypted, it is still refused where a kubeconfig would have to carry it (item: the kubeconfig principal).
    with pytest.raises(ConfigError) as raised:
        parse_config(plain, project="langsmith-aws", stack="dev", secret_keys={*secrets, "aws:secretKey"})
    assert {i.key for i in raised.value.issues} == {"aws:secretKey"} and "wJalr" not in str(raised.value)


def test_kubernetes_namespace_keys_are_warned_as_ignored(tmp_path):
    """Every Kubernetes object goes through an explicit provider (none through the default one), so a
    `kubernetes:` stack key does nothing: the preview says so instead of staying silent."""
    import io

    import yaml

    from tools import preview
    from tools.engine.harness import PROJECT_ROOT

    document = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    document["config"]["kubernetes:deleteUnreachable"] = True
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document))
    out, err = io.StringIO(), io.StringIO()
    assert preview.main(["--config-file", str(path), "--quiet"], out=out, err=err) == 0
    assert "warning: kubernetes:deleteUnreachable is ignored" in err.getvalue()
    assert "PULUMI_K8S_DELETE_UNREACHABLE" in err.getvalue()


def test_disabling_the_default_providers_the_program_needs_is_a_config_error():
    """With `pulumi:disable-default-providers: ["*"]` the CLI fails the first invoke (get_caller_identity)
    with an engine error; say which packages the program needs instead, before anything runs."""
    import pytest

    from settings.loader import ConfigError, parse_config
    from tests.conftest import stack_values

    values, secrets = stack_values("dev")
    for disabled in ('["*"]', '["aws"]', '["random", "kubernetes"]'):
        with pytest.raises(ConfigError) as raised:
            parse_config({**values, "pulumi:disable-default-providers": disabled}, project="langsmith-aws",
                         stack="dev", secret_keys=secrets)
        assert "pulumi:disable-default-providers" in str(raised.value) and "explicit providers" in str(raised.value)
    # kubernetes (every object has an explicit provider) and packages we do not use may be disabled
    parse_config({**values, "pulumi:disable-default-providers": '["kubernetes", "gcp"]'}, project="langsmith-aws",
                 stack="dev", secret_keys=secrets)


def test_a_region_outside_the_commercial_partition_is_refused():
    """The program writes `arn:aws:` ARNs (key policies, trust policies, AWS managed policies): in GovCloud
    or China every one of them is malformed, so the region is refused before anything runs."""
    import pytest

    from settings.loader import ConfigError, parse_config
    from tests.conftest import stack_values

    values, secrets = stack_values("dev")
    for region, partition in (("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn")):
        with pytest.raises(ConfigError) as raised:
            parse_config({**values, "aws:region": region}, project="langsmith-aws", stack="dev", secret_keys=secrets)
        assert f"aws:region = '{region}': is in the {partition} partition" in str(raised.value)


def test_a_stack_file_importing_esc_environments_is_warned_about(tmp_path):
    """The CLI merges an ESC environment's pulumiConfig into the config; the offline tools read the file only."""
    import io

    import yaml

    from tools.engine.harness import PROJECT_ROOT
    from tools.engine.stack_config import load_for_command

    document = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    document["environment"] = ["platform/aws-dev"]
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document))
    err = io.StringIO()
    config = load_for_command(None, path, err)
    assert config is not None and config.esc_environments == ("platform/aws-dev",)
    assert "imports the Pulumi ESC environment(s) platform/aws-dev" in err.getvalue()
