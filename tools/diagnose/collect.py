"""The collectors: what each runs and the files it adds to the bundle. A command that fails is
recorded (its exit status and stderr go into the bundle) and the collection goes on: a bundle
from a half-broken stack is the one support needs most."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from tools.diagnose.runner import CommandResult, Runner

# A private API out of reach fails each call in seconds instead of hanging (docs/troubleshooting.md).
KUBECTL_TIMEOUT = "--request-timeout=20s"
SINCE = re.compile(r"^(\d+)([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Waiting reasons that mean a container is failing, not merely starting.
FAILING_WAIT_REASONS = {"CrashLoopBackOff", "Error", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                        "CreateContainerError", "RunContainerError", "InvalidImageName"}


def parse_since(text: str) -> int:
    """`90s`, `30m`, `1h`, `2d` -> seconds."""
    match = SINCE.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"--since {text!r}: expected a positive number with a unit s, m, h or d (e.g. 30m, 1h, 2d)")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


@dataclass
class BundleFile:
    path: str
    content: str
    source: str          # the command that produced it, or what it was derived from
    status: int | None   # the command's exit status; None when derived


@dataclass
class Context:
    stack: str
    since_seconds: int
    now: datetime
    runner: Runner
    kube_env: dict[str, str]
    kubeconfig_given: bool = False
    cluster: str | None = None
    region: str | None = None
    alb_dns_name: str | None = None
    secret_values: list[str] = field(default_factory=list)
    files: list[BundleFile] = field(default_factory=list)
    versions: dict[str, Any] = field(default_factory=dict)

    @property
    def since_flag(self) -> str:
        return f"{self.since_seconds}s"

    def run(self, argv: list[str], kube: bool = False) -> CommandResult:
        return self.runner.run(argv, env=self.kube_env if kube else None)

    def add(self, path: str, result: CommandResult, content: str | None = None) -> None:
        """A command's output as a file; a failed command's file holds its stderr instead."""
        text = content if content is not None and result.ok else (
            result.stdout if result.ok else f"exit status {result.returncode}\n{result.stderr}{result.stdout}")
        self.files.append(BundleFile(path, text, " ".join(result.argv), result.returncode))

    def derived(self, path: str, content: str, source: str) -> None:
        self.files.append(BundleFile(path, content, source, None))


def _json(result: CommandResult) -> Any:
    if not result.ok:
        return None
    try:
        return json.loads(result.stdout or "null")
    except json.JSONDecodeError:
        return None


def pulumi_stack(ctx: Context) -> None:
    """Outputs, config (secrets hidden), recent updates; the secret values, only to redact them."""
    s = ["--stack", ctx.stack]
    outputs = ctx.run(["pulumi", "stack", "output", "--json", *s])
    ctx.add("pulumi/stack-outputs.json", outputs)
    values = _json(outputs) or {}
    ctx.cluster = ctx.cluster or values.get("clusterName")
    ctx.region = ctx.region or values.get("region")
    ctx.alb_dns_name = ctx.alb_dns_name or values.get("albDnsName")
    ctx.add("pulumi/config.json", ctx.run(["pulumi", "config", "--json", *s]))
    ctx.add("pulumi/history.json", ctx.run(["pulumi", "stack", "history", "--json", "--page-size", "5", *s]))
    # Never written: read so that each secret value is redacted wherever it shows up.
    revealed = _json(ctx.run(["pulumi", "config", "--json", "--show-secrets", *s])) or {}
    ctx.secret_values += _secret_strings(revealed)


def _secret_strings(config: Any) -> list[str]:
    """Every string inside the entries Pulumi marks secret (`{"value": ..., "secret": true}`)."""
    found: list[str] = []

    def strings(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
            try:
                strings(json.loads(value))  # an object set as a secret string: its parts too
            except (json.JSONDecodeError, ValueError):
                pass
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    if isinstance(config, dict):
        for entry in config.values():
            if isinstance(entry, dict) and entry.get("secret"):
                strings(entry.get("value", entry.get("objectValue")))
    return found


def aws_cluster(ctx: Context) -> None:
    if not (ctx.cluster and ctx.region):
        ctx.derived("aws/SKIPPED.txt", "no cluster name or region: the stack outputs were not readable; "
                    "pass --cluster and --region\n", "stack outputs")
        return
    r = ["--region", ctx.region, "--output", "json"]
    cluster = ctx.run(["aws", "eks", "describe-cluster", "--name", ctx.cluster, *r])
    ctx.add("aws/eks-cluster.json", cluster)
    info = (_json(cluster) or {}).get("cluster", {})
    ctx.versions["kubernetes"] = f"{info.get('version')} ({info.get('platformVersion')})" if info else "unknown"
    listed = ctx.run(["aws", "eks", "list-addons", "--cluster-name", ctx.cluster, *r])
    addons = []
    for name in (_json(listed) or {}).get("addons", []):
        described = ctx.run(["aws", "eks", "describe-addon", "--cluster-name", ctx.cluster, "--addon-name", name, *r])
        addon = (_json(described) or {}).get("addon")
        addons.append(addon or {"addonName": name, "error": described.stderr.strip()})
    if listed.ok:
        ctx.derived("aws/eks-addons.json", json.dumps(addons, indent=2) + "\n",
                    "aws eks list-addons + describe-addon per add-on")
    else:
        ctx.add("aws/eks-addons.json", listed)
    ctx.versions["add-ons"] = {a.get("addonName"): f"{a.get('addonVersion')} {a.get('status', '')}".strip()
                               for a in addons}
    target_health(ctx, r)
    alarms(ctx, r)


def target_health(ctx: Context, r: list[str]) -> None:
    balancers = ctx.run(["aws", "elbv2", "describe-load-balancers", *r])
    ours = [lb for lb in (_json(balancers) or {}).get("LoadBalancers", []) if lb.get("DNSName") == ctx.alb_dns_name]
    if not ours:
        ctx.add("aws/target-health.json", balancers,
                content=f"no load balancer with the DNS name {ctx.alb_dns_name!r} (the stack output albDnsName)\n")
        return
    report = []
    groups = ctx.run(["aws", "elbv2", "describe-target-groups", "--load-balancer-arn", ours[0]["LoadBalancerArn"], *r])
    for group in (_json(groups) or {}).get("TargetGroups", []):
        health = ctx.run(["aws", "elbv2", "describe-target-health", "--target-group-arn", group["TargetGroupArn"], *r])
        report.append({"targetGroup": group.get("TargetGroupName"), "port": group.get("Port"),
                       "healthCheckPath": group.get("HealthCheckPath"),
                       "targets": (_json(health) or {}).get("TargetHealthDescriptions", health.stderr.strip())})
    if groups.ok:
        ctx.derived("aws/target-health.json", json.dumps(report, indent=2) + "\n",
                    "aws elbv2 describe-target-groups + describe-target-health per group")
    else:
        ctx.add("aws/target-health.json", groups)


def alarms(ctx: Context, r: list[str]) -> None:
    prefix = (ctx.cluster or "").removesuffix("-eks")  # the cluster is `<namePrefix>-eks`, alarms `<namePrefix>-...`
    result = ctx.run(["aws", "cloudwatch", "describe-alarms", "--alarm-name-prefix", f"{prefix}-", *r])
    found = (_json(result) or {}).get("MetricAlarms", [])
    lines = [f"{a.get('StateValue', '?'):<18} {a.get('AlarmName')}  ({a.get('StateReason', '')})" for a in found]
    ctx.add("aws/alarms.txt", result, content="\n".join(sorted(lines)) + "\n" if lines else "no alarms\n")


def kubernetes(ctx: Context) -> None:
    nodes = ctx.run(["kubectl", KUBECTL_TIMEOUT, "get", "nodes", "-o", "wide"], kube=True)
    ctx.add("kubernetes/nodes.txt", nodes)
    if not nodes.ok and any(s in nodes.stderr for s in ("i/o timeout", "dial tcp", "context deadline", "Unable to connect")):
        ctx.derived("kubernetes/API-UNREACHABLE.txt",
                    "The Kubernetes API did not answer from this machine. A stack with a private API "
                    "(cluster.publicAccessCidrs: []) is reached only from inside its VPC: run bin/diagnose "
                    "there (docs/troubleshooting.md, \"Collecting a diagnostics bundle\").\n", "kubectl get nodes")
        return
    ctx.add("kubernetes/pods.txt", ctx.run(["kubectl", KUBECTL_TIMEOUT, "get", "pods", "-A", "-o", "wide"], kube=True))
    pods = ctx.run(["kubectl", KUBECTL_TIMEOUT, "get", "pods", "-A", "-o", "json"], kube=True)
    statuses = [_pod_status(p) for p in (_json(pods) or {}).get("items", [])]
    # Status only: the full pod objects carry env values, which have no place in a bundle.
    ctx.add("kubernetes/pod-status.json", pods, content=json.dumps(statuses, indent=2) + "\n")
    events = ctx.run(["kubectl", KUBECTL_TIMEOUT, "get", "events", "-A", "-o", "json"], kube=True)
    ctx.add("kubernetes/events.txt", events, content=_events_table(_json(events) or {}, ctx.now, ctx.since_seconds))
    for pod in statuses:
        for container in pod["containers"]:
            if not _worth_logs(pod, container):
                continue
            base = f"kubernetes/logs/{pod['namespace']}/{pod['name']}/{container['name']}"
            argv = ["kubectl", KUBECTL_TIMEOUT, "logs", "-n", pod["namespace"], pod["name"], "-c", container["name"],
                    f"--since={ctx.since_flag}", "--timestamps"]
            ctx.add(f"{base}.log", ctx.run(argv, kube=True))
            if container["restartCount"]:
                ctx.add(f"{base}.previous.log", ctx.run([*argv, "--previous"], kube=True))


def _pod_status(pod: dict[str, Any]) -> dict[str, Any]:
    status = pod.get("status", {})
    return {"namespace": pod["metadata"]["namespace"], "name": pod["metadata"]["name"],
            "phase": status.get("phase"), "node": pod.get("spec", {}).get("nodeName"),
            "conditions": [{k: c.get(k) for k in ("type", "status", "reason", "message") if c.get(k)}
                           for c in status.get("conditions", [])],
            "containers": [{"name": c["name"], "ready": c.get("ready"), "restartCount": c.get("restartCount", 0),
                            "image": c.get("image"), "state": c.get("state"), "lastState": c.get("lastState")}
                           for c in status.get("initContainerStatuses", []) + status.get("containerStatuses", [])]}


def _worth_logs(pod: dict[str, Any], container: dict[str, Any]) -> bool:
    """Failing or restarting: restarted, crashing, or not ready in a pod that should be running."""
    if container["restartCount"]:
        return True
    waiting = (container.get("state") or {}).get("waiting") or {}
    if waiting.get("reason") in FAILING_WAIT_REASONS:
        return False  # never started: no log, the events and the status say why
    terminated = (container.get("state") or {}).get("terminated") or {}
    if terminated and terminated.get("exitCode", 0) != 0:
        return True
    return pod["phase"] == "Running" and not container.get("ready") and "running" in (container.get("state") or {})


def _events_table(events: dict[str, Any], now: datetime, since_seconds: int) -> str:
    cutoff = now - timedelta(seconds=since_seconds)
    rows = []
    for e in events.get("items", []):
        stamp = e.get("lastTimestamp") or e.get("eventTime") or e.get("metadata", {}).get("creationTimestamp")
        when = _parse_time(stamp)
        if when is None or when < cutoff:
            continue
        obj = e.get("involvedObject", {})
        rows.append((when, f"{stamp:<22} {e.get('type', ''):<8} {obj.get('namespace', '-')}/{obj.get('kind', '')}/"
                           f"{obj.get('name', '')}  {e.get('reason', '')} (x{e.get('count', 1)}): "
                           f"{' '.join(str(e.get('message', '')).split())}"))
    header = f"events since {cutoff.strftime('%Y-%m-%dT%H:%M:%SZ')} ({len(rows)}), oldest first\n"
    return header + "".join(f"{line}\n" for _, line in sorted(rows, key=lambda r: r[0]))


def _parse_time(stamp: Any) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


def helm(ctx: Context) -> None:
    listed = ctx.run(["helm", "list", "-A", "-o", "json"], kube=True)
    ctx.add("helm/releases.json", listed)
    releases = _json(listed) or []
    ctx.versions["charts (deployed)"] = {f"{r['namespace']}/{r['name']}": f"{r.get('chart')} app {r.get('app_version')} "
                                         f"{r.get('status')}" for r in releases}
    for r in releases:
        name, namespace = r["name"], r["namespace"]
        ctx.add(f"helm/{namespace}/{name}-status.txt", ctx.run(["helm", "status", name, "-n", namespace], kube=True))
        ctx.add(f"helm/{namespace}/{name}-history.json",
                ctx.run(["helm", "history", name, "-n", namespace, "-o", "json", "--max", "10"], kube=True))


def kubeconfig(ctx: Context) -> None:
    """Write a kubeconfig for the cluster (to the bundle's temporary KUBECONFIG), unless one was given."""
    if ctx.kubeconfig_given or not (ctx.cluster and ctx.region):
        return
    result = ctx.run(["aws", "eks", "update-kubeconfig", "--name", ctx.cluster, "--region", ctx.region], kube=True)
    if not result.ok:
        ctx.add("kubernetes/KUBECONFIG-FAILED.txt", result)


COLLECTORS: tuple[Callable[[Context], None], ...] = (pulumi_stack, aws_cluster, kubeconfig, kubernetes, helm)
