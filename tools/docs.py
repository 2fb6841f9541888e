"""Generate the README's reference sections from the code: config keys, policies, stacks.

    python -m tools.docs            # rewrite the generated sections of README.md
    python -m tools.docs --check    # exit 1 if README.md is stale (the tests run this)

Each section sits between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`.
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import sys
import types
import typing
from typing import Any, Callable, Mapping, Sequence

from pydantic import BaseModel, SecretStr
from pydantic_core import PydanticUndefined

from pricing.engine import estimate
from pricing.from_plan import items_from_plan
from settings.stack import SECRET_KEYS, Settings
from settings.profiles import PROFILE_DEFAULTS, PROFILE_NAMES
from tools.engine.diagram import mermaid
from tools.engine.harness import PROJECT_ROOT, run_program
from tools.engine.plan import build_plan
from tools.engine.stack_config import load_stack_config
from tools.engine.timeline import timeline_summary

README = PROJECT_ROOT / "README.md"
STACKS = ("dev", "prod", "hybrid", "byoc")
RUNTIME_FIELDS = {"project", "stack", "region"}


# -- configuration reference ---------------------------------------------------------------

def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[1])}"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return " \\| ".join(f"`{m.value}`" for m in annotation)
        if issubclass(annotation, SecretStr):
            return "secret string"
        if issubclass(annotation, BaseModel):
            return "object"
        return {"str": "string", "int": "integer", "bool": "boolean"}.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def _profile_value(path: Sequence[str], profile: str) -> Any:
    node: Any = PROFILE_DEFAULTS[profile]
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _show(value: Any) -> str:
    return f"`{json.dumps(value)}`" if not isinstance(value, str) else f"`{value}`"


def _default(path: Sequence[str], field: Any) -> str:
    per_profile = {p: _profile_value(path, p) for p in PROFILE_NAMES}
    if any(v is not None for v in per_profile.values()):
        values = set(json.dumps(v) for v in per_profile.values())
        if len(values) == 1:
            return _show(next(iter(per_profile.values())))
        return "; ".join(f"{p}: {_show(v)}" for p, v in per_profile.items())
    if field.default is not PydanticUndefined:
        return "none" if field.default is None else _show(field.default)
    if field.default_factory is not None:
        made = field.default_factory()
        return _show(made.model_dump(by_alias=True) if isinstance(made, BaseModel) else made) if made not in ([], {}) \
            else "empty"
    return "required"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def config_rows(model: type[BaseModel] = Settings, prefix: Sequence[str] = ()) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        if not prefix and name in RUNTIME_FIELDS:
            continue
        key = field.alias or name
        path = (*prefix, key)
        nested = _nested_model(field.annotation)
        if nested is not None and typing.get_origin(field.annotation) is not list:
            rows.extend(config_rows(nested, path))
            continue
        secret = " (secret: `pulumi config set --secret`)" if ".".join(path) in SECRET_KEYS else ""
        description = (field.description or "").replace("|", "\\|") + secret
        rows.append(f"| `{'.'.join(path)}` | {_type_name(field.annotation)} | {_default(path, field)} | {description} |")
    return rows


def config_reference() -> str:
    header = ["| key | type | default | meaning |", "|---|---|---|---|",
              "| `aws:region` | string | required | AWS region to deploy into, e.g. `us-east-1` |"]
    return "\n".join(header + config_rows()) + "\n"


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


def stack_section(stack: str, plan: Mapping[str, Any]) -> str:
    region = next((r["inputs"]["region"] for r in plan["resources"] if r["type"] == "pulumi:providers:aws"), "us-east-1")
    cost = estimate(items_from_plan(plan), region)
    timeline = timeline_summary(plan)
    rows = [f"| {category} | {usd:,.2f} |" for category, usd in sorted(cost.by_category().items(), key=lambda kv: (-kv[1], kv[0]))]
    resources = sum(1 for r in plan["resources"] if r["custom"])
    # An unpriced line makes the total unknown: say so rather than print a smaller number.
    total = (f"{cost.total_usd:,.2f} USD" if cost.total_usd is not None
             else f"unpriced ({len(cost.unpriced)} lines have no price in {cost.region})")
    return "\n".join([
        f"### `{stack}`",
        "",
        f"{resources} resources. Estimated monthly cost: **{total}** (on-demand list prices, "
        f"{cost.region}, as of {cost.prices_as_of}; usage-based charges not included). "
        f"Estimated first `pulumi up`: **about {timeline['estimatedMinutes']} minutes**.",
        "",
        "```mermaid",
        mermaid(plan).rstrip(),
        "```",
        "",
        "| cost line | USD / month |",
        "|---|---:|",
        *rows,
        "",
    ])


def sections(plans: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    return {
        "config-reference": config_reference(),
        "policies": policy_table(),
        "stacks": "\n".join(stack_section(stack, plans[stack]) for stack in STACKS),
    }


def render(readme: str, generated: Mapping[str, str]) -> str:
    for name, body in generated.items():
        pattern = re.compile(rf"(<!-- generated:{name}:start -->\n).*?(<!-- generated:{name}:end -->)", re.DOTALL)
        if not pattern.search(readme):
            raise ValueError(f"README.md has no generated:{name} markers")
        readme = pattern.sub(lambda m: m.group(1) + body + m.group(2), readme)
    return readme


def main(argv: Sequence[str] | None = None, plan_for: Callable[[str], Mapping[str, Any]] = stack_plan) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.docs", description="Regenerate the README's reference sections.")
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date instead of writing it")
    args = parser.parse_args(argv)
    current = README.read_text()
    updated = render(current, sections({stack: plan_for(stack) for stack in STACKS}))
    if args.check:
        if updated != current:
            print("README.md is stale: run `python -m tools.docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
