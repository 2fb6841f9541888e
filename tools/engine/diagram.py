"""A Mermaid diagram of a stack, generated from its plan: components, traffic and data paths.

Solid arrows are traffic and data paths (from a table of what each kind of component talks to);
dotted arrows are deployment order (a component waits for another), derived from the plan's
dependencies. Only components present in the plan are drawn.
"""

from __future__ import annotations

from typing import Any, Mapping

# (from component type, to component type, label): who talks to whom at run time.
TRAFFIC: tuple[tuple[str, str, str], ...] = (
    ("users", "langsmith:aws:Edge", "HTTPS :443 (WAF, TLS 1.2+)"),
    ("langsmith:aws:Edge", "langsmith:aws:LangSmith", "HTTP :8080 (TargetGroupBinding)"),
    ("langsmith:aws:Edge", "langsmith:aws:AgentGateway", "HTTP :10080 (TargetGroupBinding)"),
    ("langsmith:aws:AgentGateway", "langsmith:aws:DataPlane", "HTTPRoutes to agents"),
    ("langsmith:aws:LangSmith", "langsmith:aws:Postgres", "PostgreSQL TLS :5432"),
    ("langsmith:aws:LangSmith", "langsmith:aws:Redis", "Redis TLS + AUTH :6379"),
    ("langsmith:aws:LangSmith", "langsmith:aws:BlobStorage", "S3 via IRSA"),
    ("langsmith:aws:LangSmith", "langsmith:aws:Secrets", "External Secrets reads (namespace's own role)"),
    ("langsmith:aws:DataPlane", "langsmith:aws:Secrets", "External Secrets reads (namespace's own role)"),
    ("langsmith:aws:DataPlane", "controlplane", "HTTPS polling via NAT"),
    ("controlplane", "langsmith:aws:ByocRole", "sts:AssumeRole + ExternalId"),
    ("controlplane", "langsmith:aws:ByocEksRole", "sts:AssumeRole + ExternalId (Crossplane)"),
    ("langsmith:aws:Observability", "langsmith:aws:Postgres", "AWS Backup"),
)
EXTERNAL = {"users": "Users", "controlplane": "LangSmith control plane"}


def _node_id(name: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in name)


def mermaid(plan: Mapping[str, Any]) -> str:
    resources = plan.get("resources", [])
    by_urn = {r["urn"]: r for r in resources}
    stack_children = [r for r in resources if not r["custom"] and r["type"].startswith("langsmith:")
                      and (r.get("parent") or "").endswith(f"::{plan['project']}-{plan['stack']}")]
    components = {c["urn"]: c for c in stack_children}

    def top(urn: str | None) -> str | None:
        while urn is not None and urn in by_urn:
            if urn in components:
                return urn
            urn = by_urn[urn].get("parent")
        return None

    counts: dict[str, int] = {}
    for r in resources:
        owner = top(r["urn"])
        if owner and r["custom"]:
            counts[owner] = counts.get(owner, 0) + 1
    lines = ["flowchart LR"]
    types: dict[str, list[str]] = {}
    for c in sorted(components.values(), key=lambda c: c["name"]):
        types.setdefault(c["type"], []).append(c["name"])
    for c in sorted(components.values(), key=lambda c: c["name"]):
        label = f"{c['name']}<br/>{c['type'].split(':')[-1]} ({counts.get(c['urn'], 0)} resources)"
        lines.append(f'  {_node_id(c["name"])}["{label}"]')
    used_external = {a for a, b, _ in TRAFFIC if a in EXTERNAL and b in types} | \
                    {b for a, b, _ in TRAFFIC if b in EXTERNAL and a in types}
    for key in sorted(used_external):
        lines.append(f'  {_node_id(key)}(("{EXTERNAL[key]}"))')

    def refs(key: str) -> list[str]:
        return [_node_id(key)] if key in EXTERNAL else [_node_id(name) for name in types.get(key, [])]

    for source, target, label in TRAFFIC:
        if (source in types or source in used_external) and (target in types or target in used_external):
            for a in refs(source):
                for b in refs(target):
                    lines.append(f"  {a} -->|\"{label}\"| {b}")
    waits: set[tuple[str, str]] = set()
    for r in resources:
        owner = top(r["urn"])
        for dep in r.get("dependencies") or []:
            dep_owner = top(dep)
            if owner and dep_owner and owner != dep_owner:
                waits.add((components[owner]["name"], components[dep_owner]["name"]))
    for owner, dep in sorted(waits):
        lines.append(f"  {_node_id(owner)} -.-> {_node_id(dep)}")
    return "\n".join(lines) + "\n"
