"""The stack file itself: every secret is set (not the shipped placeholder), and no documentation
value (example domain, zone ID, RFC 5737 address) is left, as `pulumi up` would refuse it."""

from __future__ import annotations

from settings.json_values import leaves
from settings.stack import SECRET_KEYS
from settings.placeholders import PLACEHOLDER_SECRET_PREFIX, find_placeholders
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER, read_yaml_document
from tools.preflight.context import FAIL, PASS, Checks, Context


def check_secrets_and_placeholders(ctx: Context) -> Checks:
    """Every secret is set (not the shipped placeholder) and no documentation value is left."""
    checks = Checks()
    document = read_yaml_document(ctx.config.source)  # the preview's reader: Pulumi's YAML
    raw = dict(document.get("config") or {})
    prefix = f"{ctx.config.project}:"
    placeholder_secrets: list[str] = []
    placeholder_values: list[str] = []
    for full_key, value in raw.items():
        key = full_key.removeprefix(prefix)
        for path, leaf in leaves(value, key):
            is_secret_leaf = path.endswith(".secure")
            if is_secret_leaf and str(leaf).startswith(PLACEHOLDER_SECRET_PREFIX):
                placeholder_secrets.append(path.removesuffix(".secure"))
            elif leaf == OFFLINE_SECRET_PLACEHOLDER:
                placeholder_secrets.append(path)
    # The same rule as `pulumi up`'s refusal (settings.placeholders): documentation domains, the
    # example zone ID, and any address inside an RFC 5737 block (203.0.113.7/32 too).
    placeholder_values.extend(
        f"{p.key.removeprefix(prefix)} = {p.value}"
        for p in find_placeholders(ctx.config.values, ctx.config.secret_keys)
        if p.value != "[secret]" and not any(p.key == k or p.key.startswith((k + ".", k + "["))
                                             for k in ctx.config.secret_keys))
    set_secrets = sorted(k.removeprefix(prefix) for k in ctx.config.secret_keys
                         if k.removeprefix(prefix).split(".")[0] in SECRET_KEYS)
    if placeholder_secrets:
        checks.add("secrets set", FAIL, f"still the shipped placeholders: {', '.join(sorted(placeholder_secrets))}",
                   "; ".join(f"pulumi config set --secret {'--path ' if '.' in k else ''}{k} <value>"
                             for k in sorted(placeholder_secrets)))
    else:
        checks.add("secrets set", PASS, f"{', '.join(set_secrets) or 'none needed'} set, encrypted (values not read)")
    if placeholder_values:
        checks.add("documentation values replaced", FAIL, f"still documentation values: {'; '.join(placeholder_values)}",
                   "replace each with your own domain, zone ID or CIDR in the stack file")
    else:
        checks.add("documentation values replaced", PASS, "no example domain, zone ID or CIDR left")
    return checks
