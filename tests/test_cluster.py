"""EKS platform: cluster, node pools, add-ons, storage classes, IRSA roles and controller releases."""

from __future__ import annotations

import io
import ipaddress
import json

import pytest

from components import versions
from components.cluster_addons import POD_READINESS_GATE_LABEL
from components.cluster import CLICKHOUSE_TAINT_KEY, CONTROL_PLANE_LOG_TYPES, POOL_LABEL
from components.irsa import irsa_trust_policy
from settings import ConfigError
from shapes.self_hosted import LANGSMITH_NAMESPACE
from settings.instance_types import shape_of
from tests.conftest import by_id, policy, run_stack
from tools.engine.harness import PROJECT_ROOT, ProgramRun, Registration
from tools.preview import main as preview_main

CLUSTER = "eks:index:Cluster"
NODE_GROUP = "eks:index:ManagedNodeGroup"
RELEASE = "kubernetes:helm.sh/v3:Release"


def private_subnet_ids(run: ProgramRun) -> list[str]:
    return [s.id or "" for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "private"]


def irsa_role(run: ProgramRun, component: str) -> tuple[dict, dict | None]:
    """(trust statement, inline policy) of an IrsaRole component's role."""
    role = run.one("aws:iam/role:Role", f"{component}-role")
    (statement,) = policy(role, "assumeRolePolicy")["Statement"]
    inline = [p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == f"{component}-policy"]
    return statement, policy(inline[0]) if inline else None


def release(run: ProgramRun, name: str) -> Registration:
    return run.one(RELEASE, f"addons-{name}")


# -- control plane ---------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_control_plane_settings(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = dev_run if stack == "dev" else prod_run
    c = run.one(CLUSTER).inputs
    assert c["name"] == f"ls-{stack}-eks" and c["version"] == versions.KUBERNETES_VERSION
    assert c["authenticationMode"] == "API"
    assert c["endpointPrivateAccess"] is True
    assert c["encryptionConfigKeyArn"] == run.one("aws:kms/key:Key", "keys-secrets").outputs["arn"]
    assert c["enabledClusterLogTypes"] == list(CONTROL_PLANE_LOG_TYPES)
    assert set(CONTROL_PLANE_LOG_TYPES) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert c["createOidcProvider"] is True
    assert c["upgradePolicy"] == {"supportType": "STANDARD"}
    assert c["skipDefaultNodeGroup"] is True and c["nodeAssociatePublicIpAddress"] is False
    assert set(c["privateSubnetIds"]) == set(private_subnet_ids(run)) and "publicSubnetIds" not in c
    assert c["vpcCniOptions"]["addonVersion"] == versions.EKS_ADDON_VERSIONS["vpc-cni"]
    # hop limit 2 is paired with enforced NetworkPolicies (the chart's IMDS block)
    assert c["vpcCniOptions"]["enableNetworkPolicy"] is True
    assert c["kubeProxyAddonOptions"]["version"] == versions.EKS_ADDON_VERSIONS["kube-proxy"]


def test_control_plane_logs_have_retention_before_the_cluster(prod_run: ProgramRun):
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs")
    assert group.inputs["name"] == "/aws/eks/ls-prod-eks/cluster"
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == prod_run.one("aws:kms/key:Key", "keys-logs").outputs["arn"]
    assert group.urn in prod_run.one(CLUSTER).dependencies


ADMIN_ROLE = "arn:aws:iam::123456789012:role/platform-admins"
# pulumi runs inside the VPC; one more admin (one program run shared by two tests)
INSIDE_VPC_WITH_ADMIN = {"cluster": {"adminRoleArns": [ADMIN_ROLE], "deployerInsideVpc": True}}


def test_public_endpoint_is_off_without_cidrs_and_limited_with_them():
    run = run_stack("prod", INSIDE_VPC_WITH_ADMIN)
    c = run.one(CLUSTER).inputs
    assert c["endpointPublicAccess"] is False and "publicAccessCidrs" not in c
    run = run_stack("prod", {"cluster": {"publicAccessCidrs": ["198.51.100.0/24"]}})
    c = run.one(CLUSTER).inputs
    assert c["endpointPublicAccess"] is True and c["publicAccessCidrs"] == ["198.51.100.0/24"]


def test_deployer_cidrs_open_the_endpoint_for_the_first_deploy(prod_run: ProgramRun):
    # the shipped prod stack: API private for people, the bootstrap CIDR of the deploying machine listed
    c = prod_run.one(CLUSTER).inputs
    assert c["endpointPublicAccess"] is True and c["publicAccessCidrs"] == ["203.0.113.10/32"]
    both = run_stack("prod", {"cluster": {"publicAccessCidrs": ["198.51.100.0/24", "203.0.113.10/32"],
                                          "deployerAccessCidrs": ["203.0.113.10/32", "192.0.2.7/32"]}})
    assert both.one(CLUSTER).inputs["publicAccessCidrs"] == ["198.51.100.0/24", "203.0.113.10/32", "192.0.2.7/32"]


@pytest.mark.parametrize("stack", ["prod", "hybrid"])
def test_unreachable_private_api_is_a_config_error_naming_the_three_keys(stack: str):
    with pytest.raises(ConfigError) as err:
        run_stack(stack, {"cluster": {"publicAccessCidrs": [], "deployerAccessCidrs": []}})
    issues = [i for i in err.value.issues if i.key == "cluster.deployerAccessCidrs"]
    assert len(issues) == 1
    for key_name in ("cluster.publicAccessCidrs", "cluster.deployerAccessCidrs", "cluster.deployerInsideVpc"):
        assert key_name in issues[0].allowed


def test_unreachable_private_api_stops_the_preview_before_any_resource(tmp_path):
    text = (PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()
    assert "    deployerAccessCidrs: [203.0.113.10/32]\n" in text
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(text.replace("    deployerAccessCidrs: [203.0.113.10/32]\n", ""))
    err = io.StringIO()
    assert preview_main(["--config-file", str(path), "--quiet"], out=io.StringIO(), err=err) == 2
    assert "cluster.deployerInsideVpc" in err.getvalue()


def test_production_refuses_a_world_open_endpoint():
    for list_key in ("publicAccessCidrs", "deployerAccessCidrs"):
        with pytest.raises(ConfigError) as err:
            run_stack("prod", {"cluster": {list_key: ["0.0.0.0/0"]}})
        (issue,) = [i for i in err.value.issues if i.key == f"cluster.{list_key}"]
        assert issue.value == ["0.0.0.0/0"] and "0.0.0.0/0" in issue.allowed


def test_admin_roles_get_cluster_admin_access_entries():
    run = run_stack("prod", INSIDE_VPC_WITH_ADMIN)
    entries = run.one(CLUSTER).inputs["accessEntries"]
    assert list(entries.values()) == [{
        "principalArn": ADMIN_ROLE,
        "accessPolicies": {"cluster-admin": {
            "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            "accessScope": {"type": "cluster"}}}}]


def test_production_cluster_has_deletion_protection(prod_run: ProgramRun, dev_run: ProgramRun):
    assert prod_run.one(CLUSTER).inputs["deletionProtection"] is True
    assert dev_run.one(CLUSTER).inputs["deletionProtection"] is False


# -- node pools ------------------------------------------------------------------------------

def node_groups(run: ProgramRun) -> dict[str, Registration]:
    return {g.name.removeprefix("cluster-"): g for g in run.of_type(NODE_GROUP)}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_nodes_use_imdsv2_and_encrypted_roots(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = dev_run if stack == "dev" else prod_run
    ids = by_id(run)
    for group in node_groups(run).values():
        template = ids[group.inputs["launchTemplate"]["id"]]
        metadata = template.inputs["metadataOptions"]
        assert metadata["httpTokens"] == "required" and metadata["httpPutResponseHopLimit"] == 2
        (volume,) = template.inputs["blockDeviceMappings"]
        assert volume["ebs"]["encrypted"] == "true" and volume["ebs"]["volumeType"] == "gp3"
        assert "diskSize" not in group.inputs  # size comes from the launch template
        assert group.inputs["operatingSystem"] == "AL2023"


def test_nodes_only_in_private_subnets(prod_run: ProgramRun):
    private = set(private_subnet_ids(prod_run))
    groups = node_groups(prod_run)
    assert set(groups["general"].inputs["subnetIds"]) == private
    # ClickHouse stays in one AZ, with its volume
    assert len(groups["clickhouse"].inputs["subnetIds"]) == 1
    assert set(groups["clickhouse"].inputs["subnetIds"]) <= private


def test_general_pool_holds_the_production_baseline(prod_run: ProgramRun):
    general = node_groups(prod_run)["general"].inputs
    assert general["capacityType"] == "ON_DEMAND"
    scaling = general["scalingConfig"]
    shape = shape_of(general["instanceTypes"][0])
    assert shape is not None
    # The reference's floor counts instance sizes "including system overhead"; that every pod fits
    # what the nodes leave after it is tests/test_capacity.py's arithmetic.
    assert scaling["minSize"] * shape.vcpu >= 16 and scaling["minSize"] * shape.memory_gib >= 64
    assert general["ignoreScalingChanges"] is True
    assert general["labels"] == {POOL_LABEL: "general"}
    tags = general["tags"]
    assert tags["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert tags["k8s.io/cluster-autoscaler/ls-prod-eks"] == "owned"


def test_dev_pools_are_spot(dev_run: ProgramRun):
    for group in node_groups(dev_run).values():
        assert group.inputs["capacityType"] == "SPOT" and len(group.inputs["instanceTypes"]) >= 2


@pytest.mark.parametrize("profile, vcpu, memory", [("dev", 4, 16), ("production", 8, 32), ("production-large", 16, 64)])
def test_clickhouse_pool_size_and_taint(profile: str, vcpu: int, memory: int):
    run = run_stack("prod", {"profile": profile}) if profile != "dev" else run_stack("dev")
    ch = node_groups(run)["clickhouse"].inputs
    assert shape_of(ch["instanceTypes"][0]) == (vcpu, memory)
    assert ch["taints"] == [{"key": CLICKHOUSE_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"}]
    assert ch["labels"] == {POOL_LABEL: "clickhouse"}


def test_external_clickhouse_has_no_dedicated_pool():
    run = run_stack("dev", {"clickhouse": {"mode": "external", "externalHost": "ch.example.com"},
                            "clickhouseExternalPassword": "pw"}, secret=("clickhouseExternalPassword",))
    assert list(node_groups(run)) == ["general"]
    assert [s.inputs["metadata"]["name"] for s in run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")] == ["gp3"]


# -- add-ons, storage classes, provider ------------------------------------------------------

def test_eks_addons_are_pinned_and_wait_for_nodes(prod_run: ProgramRun):
    general = node_groups(prod_run)["general"]
    addons = {a.inputs["addonName"]: a for a in prod_run.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"}
    assert addons.pop("amazon-cloudwatch-observability").inputs["addonVersion"] == versions.CLOUDWATCH_OBSERVABILITY_ADDON
    for name, addon in addons.items():
        assert addon.inputs["addonVersion"] == versions.EKS_ADDON_VERSIONS[name]
        assert general.urn in addon.dependencies
    statement, inline = irsa_role(prod_run, "cluster-ebs-csi")
    assert addons["aws-ebs-csi-driver"].inputs["serviceAccountRoleArn"] == \
        prod_run.one("aws:iam/role:Role", "cluster-ebs-csi-role").outputs["arn"]
    assert statement["Condition"]["StringEquals"][
        f"{prod_run.one(CLUSTER).outputs['oidcIssuer']}:sub"] == "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    data_key = prod_run.one("aws:kms/key:Key", "keys-data").outputs["arn"]
    assert inline is not None and all(s["Resource"] == data_key for s in inline["Statement"])


def test_storage_classes(prod_run: ProgramRun):
    classes = {s.inputs["metadata"]["name"]: s.inputs for s in prod_run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    data_key = prod_run.one("aws:kms/key:Key", "keys-data").outputs["arn"]
    gp3 = classes["gp3"]
    assert gp3["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert gp3["provisioner"] == "ebs.csi.aws.com"
    assert gp3["parameters"] == {"type": "gp3", "encrypted": "true", "kmsKeyId": data_key}
    ch = classes["clickhouse-gp3"]
    assert ch["parameters"]["iops"] == "7000" and ch["parameters"]["throughput"] == "1000"
    assert ch["parameters"]["encrypted"] == "true" and ch["parameters"]["kmsKeyId"] == data_key
    assert ch["parameters"]["tagSpecification_1"] == "langsmith.com/backup=clickhouse"
    assert ch["reclaimPolicy"] == "Retain" and ch["allowVolumeExpansion"] is True
    assert ch["volumeBindingMode"] == "WaitForFirstConsumer" == gp3["volumeBindingMode"]
    assert "annotations" not in ch["metadata"]  # a single default class


def test_every_kubernetes_resource_uses_the_explicit_provider(prod_run: ProgramRun):
    providers = prod_run.of_type("pulumi:providers:kubernetes")
    (provider,) = [p for p in providers if not p.inputs.get("upsertExistingObjects")]
    assert provider.inputs["clusterIdentifier"] == "ls-prod-eks"
    assert json.loads(provider.inputs["kubeconfig"])["clusters"][0]["name"] == "ls-prod-eks"
    kube = [r for r in prod_run.registrations if r.custom and r.type.startswith("kubernetes:")]
    on_main = [r for r in kube if (r.provider or "").startswith(provider.urn + "::")]
    # the rest: objects older stacks let Helm, the add-on or the chart create (namespaces, the
    # ClickHouse data claim the StatefulSet made, and the CRDs Helm's first install made from the
    # load balancer controller chart's crds/: tests/test_chart_crds.py), adopted and kept on delete
    adopted = [r for r in kube if r not in on_main]
    (adopting,) = [p for p in providers if p is not provider]
    assert all((r.provider or "").startswith(adopting.urn + "::") and r.retain_on_delete for r in adopted)
    crd = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
    from_crds_dir = [r for r in adopted if r.type == crd]
    assert from_crds_dir and all(r.name.startswith("addons-aws-load-balancer-controller-crd-") for r in from_crds_dir)
    assert sorted((r.type, r.inputs["metadata"]["name"]) for r in adopted if r.type != crd) == [
        ("kubernetes:core/v1:Namespace", "amazon-cloudwatch"), ("kubernetes:core/v1:Namespace", "external-secrets"),
        ("kubernetes:core/v1:Namespace", "keda"),
        ("kubernetes:core/v1:PersistentVolumeClaim", "data-langsmith-clickhouse-0")]


# -- IRSA ------------------------------------------------------------------------------------

def test_irsa_trust_binds_exactly_one_service_account():
    trust = json.loads(irsa_trust_policy("arn:aws:iam::1:oidc-provider/oidc.example/id/X",
                                         "https://oidc.example/id/X", "ns", "sa"))
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": "arn:aws:iam::1:oidc-provider/oidc.example/id/X"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        "oidc.example/id/X:sub": "system:serviceaccount:ns:sa", "oidc.example/id/X:aud": "sts.amazonaws.com"}}


@pytest.mark.parametrize("component, service_account", [
    ("addons-load-balancer-controller", "kube-system:aws-load-balancer-controller"),
    ("langsmith-secret-store-reader", "langsmith:secrets-reader"),
    ("addons-cluster-autoscaler", "kube-system:cluster-autoscaler"),
    ("cluster-ebs-csi", "kube-system:ebs-csi-controller-sa"),
])
def test_controller_roles_trust_their_service_account_only(prod_run: ProgramRun, component: str, service_account: str):
    statement, _ = irsa_role(prod_run, component)
    cluster = prod_run.one(CLUSTER).outputs
    assert statement["Principal"] == {"Federated": cluster["oidcProviderArn"]}
    conditions = statement["Condition"]
    assert list(conditions) == ["StringEquals"]
    assert conditions["StringEquals"] == {
        f"{cluster['oidcIssuer']}:sub": f"system:serviceaccount:{service_account}",
        f"{cluster['oidcIssuer']}:aud": "sts.amazonaws.com"}


def test_langsmiths_secret_reader_reads_what_its_external_secrets_name(prod_run: ProgramRun):
    _, inline = irsa_role(prod_run, "langsmith-secret-store-reader")
    assert inline is not None
    statements = {s["Sid"]: s for s in inline["Statement"]}
    named = {d["remoteRef"]["key"] for es in prod_run.of_type(EXTERNAL_SECRET) for d in es.inputs["spec"]["data"]}
    assert prod_run.outputs["databaseMasterSecretArn"] in named
    assert set(statements["ReadTheNamespacesSecrets"]["Resource"]) == named
    assert statements["ReadTheNamespacesSecrets"]["Action"] == ["secretsmanager:GetSecretValue",
                                                                 "secretsmanager:DescribeSecret"]
    decrypt = statements["DecryptThroughSecretsManager"]
    assert decrypt["Resource"] == prod_run.one("aws:kms/key:Key", "keys-secrets").outputs["arn"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore"


@pytest.mark.parametrize("stack", ["prod", "hybrid"])
def test_no_secret_store_lends_the_controllers_identity(stack: str, prod_run: ProgramRun):
    """ESO (2.8.0, 2.9.0) aggregates SecretStore/ExternalSecret create rights into `edit` and `admin`, and a
    store without `auth` uses the controller's AWS credentials (auth.go constructCredsProvider).
    So: no aggregation, a controller without an AWS role, and every store reads as a service account
    of its own namespace whose role may read only the secrets that namespace's ExternalSecrets name."""
    run = prod_run if stack == "prod" else run_stack("hybrid")
    eso = release(run, "external-secrets").inputs["values"]
    assert eso["rbac"] == {"aggregateToEdit": False, "aggregateToAdmin": False, "serviceAccountTokenCreate": False}
    assert "annotations" not in eso["serviceAccount"]
    # the chart reads these keys at the pin (external-secrets values.yaml, helm-chart-<pin>)
    assert versions.EXTERNAL_SECRETS.version == "2.9.0"
    cluster = run.one(CLUSTER).outputs
    eso_subject = f"{cluster['oidcIssuer']}:sub"
    roles = run.of_type("aws:iam/role:Role")
    for role in roles:
        (statement,) = policy(role, "assumeRolePolicy")["Statement"]
        subject = statement.get("Condition", {}).get("StringEquals", {}).get(eso_subject)
        assert subject != "system:serviceaccount:external-secrets:external-secrets", role.name
    stores = run.of_type(SECRET_STORE)
    assert stores
    readers_by_namespace: dict[str, set[str]] = {}
    for store in stores:
        namespace = store.inputs["metadata"]["namespace"]
        auth = store.inputs["spec"]["provider"]["aws"].get("auth")
        assert auth == {"jwt": {"serviceAccountRef": {"name": "secrets-reader"}}}, namespace
        (account,) = [a for a in run.of_type("kubernetes:core/v1:ServiceAccount")
                      if a.inputs["metadata"] == {**a.inputs["metadata"], "name": "secrets-reader", "namespace": namespace}]
        role_arn = account.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        (role,) = [r for r in roles if r.outputs["arn"] == role_arn]
        (statement,) = policy(role, "assumeRolePolicy")["Statement"]
        assert statement["Condition"]["StringEquals"][eso_subject] == f"system:serviceaccount:{namespace}:secrets-reader"
        (inline,) = [p for p in run.of_type("aws:iam/rolePolicy:RolePolicy")
                     if p.name == role.name.removesuffix("-role") + "-policy"]
        reads = {a for s in policy(inline)["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]
                 for a in s["Resource"]}
        named = {d["remoteRef"]["key"] for es in run.of_type(EXTERNAL_SECRET)
                 if es.inputs["metadata"]["namespace"] == namespace for d in es.inputs["spec"]["data"]}
        assert reads == named, namespace
        readers_by_namespace[namespace] = reads
        # the controller may mint a token for that account only
        (token_role,) = [r for r in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
                         if r.inputs["metadata"] == {"name": "secrets-reader", "namespace": namespace}]
        assert token_role.inputs["rules"] == [{"apiGroups": [""], "resources": ["serviceaccounts/token"],
                                               "resourceNames": ["secrets-reader"], "verbs": ["create"]}]
        (binding,) = [b for b in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
                      if b.inputs["metadata"] == {"name": "secrets-reader", "namespace": namespace}]
        assert binding.inputs["subjects"] == [{"kind": "ServiceAccount", "name": "external-secrets",
                                               "namespace": "external-secrets"}]
        assert account.urn in store.dependencies and binding.urn in store.dependencies
        assert inline.urn in store.dependencies  # its role may read the secrets before the store is checked
    # no namespace's reader reads another's secrets (hybrid: one listener key each)
    namespaces = sorted(readers_by_namespace)
    for i, a in enumerate(namespaces):
        for b in namespaces[i + 1:]:
            assert not readers_by_namespace[a] & readers_by_namespace[b], (a, b)


def test_cluster_autoscaler_scales_only_this_clusters_groups(prod_run: ProgramRun):
    _, inline = irsa_role(prod_run, "addons-cluster-autoscaler")
    assert inline is not None
    scale = {s["Sid"]: s for s in inline["Statement"]}["ScaleOwnNodeGroups"]
    assert scale["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/ls-prod-eks": "owned"}}


def test_load_balancer_controller_cannot_create_load_balancers(prod_run: ProgramRun):
    _, inline = irsa_role(prod_run, "addons-load-balancer-controller")
    assert inline is not None
    actions = [a for s in inline["Statement"] for a in s["Action"]]
    assert "elasticloadbalancing:RegisterTargets" in actions
    assert not [a for a in actions if a.split(":")[1].startswith(("Create", "Delete", "Modify", "Authorize"))]


# -- controller releases ---------------------------------------------------------------------

@pytest.mark.parametrize("name, chart", [
    ("aws-load-balancer-controller", versions.AWS_LOAD_BALANCER_CONTROLLER),
    ("external-secrets", versions.EXTERNAL_SECRETS),
    ("keda", versions.KEDA),
    ("cluster-autoscaler", versions.CLUSTER_AUTOSCALER),
    ("metrics-server", versions.METRICS_SERVER),
])
def test_controller_releases_are_pinned_and_sized(prod_run: ProgramRun, name: str, chart: versions.HelmChart):
    r = release(prod_run, name).inputs
    assert (r["chart"], r["version"], r["repositoryOpts"]["repo"]) == (chart.chart, chart.version, chart.repository)
    assert r["atomic"] is True
    text = json.dumps(r["values"])
    assert '"requests"' in text and '"memory"' in text


def test_controller_releases_wait_for_nodes_and_coredns(prod_run: ProgramRun):
    general = node_groups(prod_run)["general"]
    coredns = [a for a in prod_run.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "coredns"][0]
    for r in prod_run.of_type(RELEASE):
        if r.name.startswith("addons-"):
            assert general.urn in r.dependencies and coredns.urn in r.dependencies


def test_controller_service_accounts_carry_their_role(prod_run: ProgramRun):
    role_arn = {n: prod_run.one("aws:iam/role:Role", f"addons-{n}-role").outputs["arn"]
                for n in ("load-balancer-controller", "cluster-autoscaler")}
    lbc = release(prod_run, "aws-load-balancer-controller").inputs["values"]
    assert lbc["serviceAccount"] == {"create": True, "name": "aws-load-balancer-controller",
                                     "annotations": {"eks.amazonaws.com/role-arn": role_arn["load-balancer-controller"]}}
    assert lbc["clusterName"] == "ls-prod-eks" and lbc["region"] == "us-east-1"
    assert lbc["vpcId"] == prod_run.outputs["vpcId"]
    eso = release(prod_run, "external-secrets").inputs["values"]
    assert eso["serviceAccount"] == {"create": True, "name": "external-secrets"}  # no AWS identity
    ca = release(prod_run, "cluster-autoscaler").inputs["values"]
    assert ca["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == role_arn["cluster-autoscaler"]
    assert ca["autoDiscovery"] == {"clusterName": "ls-prod-eks"} and ca["awsRegion"] == "us-east-1"
    assert ca["image"]["tag"].startswith(f"v{versions.KUBERNETES_VERSION}.")


def test_cluster_builds_in_preview_mode():
    run = run_stack("prod", preview=True)
    assert len(run.of_type(NODE_GROUP)) == 2 and len(run.of_type(RELEASE)) >= 5


# -- pods and instance metadata; readiness gates ----------------------------------------------

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
TARGET_GROUP_BINDING = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
IMDS = ipaddress.ip_address("169.254.169.254")


def egress_allows(policy_spec: dict, address: str) -> bool:
    """Does a NetworkPolicy's egress admit `address`? (ipBlock peers only; Kubernetes semantics:
    an Egress policy type with no rule admits nothing; a rule admits cidr minus except.)"""
    ip = ipaddress.ip_address(address)
    for rule in policy_spec.get("egress") or []:
        for peer in rule.get("to") or [{}]:
            block = peer.get("ipBlock")
            if block is None:
                return True  # a pod/namespace selector peer: not an address filter (none here)
            if ip in ipaddress.ip_network(block["cidr"]) and not any(
                    ip in ipaddress.ip_network(e) for e in block.get("except", [])):
                return True
    return False


def metadata_policies(run: ProgramRun) -> dict[str, dict]:
    """namespace -> spec of its instance-metadata policy (one per namespace)."""
    policies: dict[str, dict] = {}
    for p in run.of_type(NETWORK_POLICY):
        if p.inputs["metadata"]["name"] != "deny-instance-metadata":
            continue
        namespace = p.inputs["metadata"]["namespace"]
        assert namespace not in policies, f"two policies in {namespace}"
        policies[namespace] = p.inputs["spec"]
    return policies


def assert_closes_instance_metadata_only(spec: dict) -> None:
    assert spec["podSelector"] == {}  # every pod of the namespace
    assert spec["policyTypes"] == ["Egress"]  # ingress untouched
    assert spec["egress"] == [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]}]
    assert not egress_allows(spec, str(IMDS))
    # everything else stays reachable: pods and Services (VPC and service CIDRs), DNS, the internet
    for address in ("10.40.12.7", "172.20.0.10", "169.254.170.23", "52.94.0.1", "169.254.169.253"):
        assert egress_allows(spec, address), address


def test_langsmith_pods_cannot_reach_instance_metadata(prod_run: ProgramRun):
    policies = metadata_policies(prod_run)
    assert set(policies) == {LANGSMITH_NAMESPACE, "external-secrets", "keda", "kube-events"}
    for spec in policies.values():
        assert_closes_instance_metadata_only(spec)
    # the policy exists before the chart's pods do
    (policy_registration,) = [p for p in prod_run.of_type(NETWORK_POLICY)
                              if p.inputs["metadata"]["namespace"] == LANGSMITH_NAMESPACE]
    assert policy_registration.urn in prod_run.one(RELEASE, "langsmith-release").dependencies


def all_dependencies(run: ProgramRun, registration: Registration) -> set[str]:
    """Every URN `registration` waits for, directly or through what it waits for."""
    by_urn = {r.urn: r for r in run.registrations}
    seen: set[str] = set()
    todo = list(registration.dependencies)
    while todo:
        urn = todo.pop()
        if urn not in seen:
            seen.add(urn)
            todo.extend(by_urn[urn].dependencies if urn in by_urn else [])
    return seen


# Where the EKS add-ons the program installs run their (non-host-network) pods.
ADDON_NAMESPACES = {"coredns": "kube-system", "aws-ebs-csi-driver": "kube-system",
                    "amazon-cloudwatch-observability": "amazon-cloudwatch"}
POD_KINDS = ("kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob",
             "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet")


@pytest.mark.parametrize("stack", ["dev", "prod", "hybrid"])
def test_strict_policy_mode_cuts_no_pod_off(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    # Strict mode: a pod that no NetworkPolicy selects is denied all traffic, for good
    # (aws/amazon-vpc-cni-k8s@v1.21.1 README "NETWORK_POLICY_ENFORCING_MODE"; EKS user guide: "this
    # requirement applies to the CoreDNS pods"). So every namespace the stack runs pods in has a
    # policy selecting all its pods, and whatever starts those pods waits for it.
    run = {"dev": dev_run, "prod": prod_run}.get(stack) or run_stack("hybrid")
    policies: dict[str, list[Registration]] = {}
    for p in run.of_type(NETWORK_POLICY):
        if p.inputs["spec"]["podSelector"] == {}:
            policies.setdefault(p.inputs["metadata"]["namespace"], []).append(p)
    starters: list[tuple[Registration, str]] = []
    starters += [(r, r.inputs["namespace"]) for r in run.of_type(RELEASE)]
    starters += [(r, ADDON_NAMESPACES[r.inputs["addonName"]]) for r in run.of_type("aws:eks/addon:Addon")]
    starters += [(r, r.inputs["metadata"]["namespace"]) for kind in POD_KINDS for r in run.of_type(kind)]
    assert len(starters) > 5
    for starter, namespace in starters:
        assert namespace in policies, f"{starter.name}: no policy selects the pods of {namespace}"
        assert {p.urn for p in policies[namespace]} & all_dependencies(run, starter), \
            f"{starter.name} starts pods in {namespace} before its policy exists"
    # kube-system and the CloudWatch add-on's namespace keep all their traffic
    for namespace in ("kube-system", *(["amazon-cloudwatch"] if stack != "hybrid" else [])):
        (spec,) = [p.inputs["spec"] for p in policies[namespace]]
        assert spec == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}


def test_network_policies_are_enforced_and_imds_is_ipv4_only(prod_run: ProgramRun):
    # pulumi-eks turns enableNetworkPolicy into the vpc-cni add-on's top-level configuration key
    # `enableNetworkPolicy: "true"` (nodejs/eks/addons/cni-addon.ts), the key of the add-on's schema
    # (aws/eks-charts stable/aws-vpc-cni values.yaml at v1.21.1: enableNetworkPolicy, default "false").
    cni = prod_run.one(CLUSTER).inputs["vpcCniOptions"]
    assert cni["enableNetworkPolicy"] is True
    # From each pod's start, not after a window (aws/aws-network-policy-agent#209): strict mode,
    # VPC CNI v1.17.1+ (aws/amazon-vpc-cni-k8s@v1.21.1 README), an env of the aws-node container.
    assert cni["configurationValues"]["env"]["NETWORK_POLICY_ENFORCING_MODE"] == "strict"
    cni_version = tuple(int(x) for x in versions.EKS_ADDON_VERSIONS["vpc-cni"].lstrip("v").split("-")[0].split("."))
    assert cni_version >= (1, 17, 1)
    assert "enableNetworkPolicy" not in json.dumps(cni.get("configurationValues", {}))
    for template in prod_run.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        options = template.inputs["metadataOptions"]
        assert options["httpPutResponseHopLimit"] == 2 and options["httpProtocolIpv6"] == "disabled"


def test_namespaces_behind_target_group_bindings_get_readiness_gates(prod_run: ProgramRun):
    labelled = {n.inputs["metadata"]["name"]: n for n in prod_run.of_type(NAMESPACE)
                if n.inputs["metadata"].get("labels", {}).get(POD_READINESS_GATE_LABEL[0]) == "enabled"}
    # the label the controller's webhook selects on (chart 3.5.0 default namespaceSelector)
    assert POD_READINESS_GATE_LABEL == ("elbv2.k8s.aws/pod-readiness-gate-inject", "enabled")
    bindings = prod_run.of_type(TARGET_GROUP_BINDING)
    assert bindings and {b.inputs["metadata"]["namespace"] for b in bindings} <= set(labelled)
    # the namespace and the webhook (load balancer controller) exist before the pods are created
    release_deps = prod_run.one(RELEASE, "langsmith-release").dependencies
    assert labelled[LANGSMITH_NAMESPACE].urn in release_deps
    assert release(prod_run, "aws-load-balancer-controller").urn in release_deps
    values = release(prod_run, "aws-load-balancer-controller").inputs["values"]
    assert values.get("enablePodReadinessGateInject", True) is not False
    assert "webhookNamespaceSelectors" not in values


def test_aws_callers_in_the_closed_namespace_use_irsa_not_instance_metadata(prod_run: ProgramRun):
    # with 169.254.169.254 closed, every pod of ours there that calls AWS needs a web identity
    # (IRSA) and an explicit region; the chart's S3 users get theirs through the values
    jobs = [j for j in prod_run.of_type("kubernetes:batch/v1:CronJob")
            if j.inputs["metadata"]["namespace"] == LANGSMITH_NAMESPACE]
    assert jobs
    for job in jobs:
        pod = job.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        account = next(a for a in prod_run.of_type("kubernetes:core/v1:ServiceAccount")
                       if a.inputs["metadata"] == {**a.inputs["metadata"], "name": pod["serviceAccountName"],
                                                   "namespace": LANGSMITH_NAMESPACE})
        assert account.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
        aws_calls = [c for c in pod.get("containers", []) + pod.get("initContainers", [])
                     if "aws " in " ".join(c.get("command", []))]
        assert aws_calls and all("--region us-east-1" in " ".join(c["command"]) for c in aws_calls)
