"""YAML read as the Pulumi CLI reads stack and project files: gopkg.in/yaml.v3 (v3.0.1, the version
pulumi/pulumi's sdk/go.mod pins), not PyYAML's YAML 1.1.

What differs from PyYAML, each from go-yaml/yaml@v3.0.1 resolve.go (`resolve`, `parseTimestamp`) and
decode.go (`mapping`: `uniqueKeys`):
- booleans are only true/True/TRUE/false/False/FALSE (`yes`, `on`, `y` stay text);
- no base-60 numbers (`12:30` stays text);
- integers are what Go's strconv.ParseInt(text, 0, 64) reads after removing `_` (`0x1F`, `0o17`,
  `0b101`, and the 1.1-style octal `0777` = 511), then uint64;
- floats match `[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?` (`1e3` is a number);
- timestamps (`2024-01-01`, `2024-1-2T10:00:00Z`) reach the program as Go's time.Time.String() text
  (pulumi/pulumi sdk/go/common/resource/config/object.go `unmarshalObject`: `newObject(v.String())`);
- a key repeated in one mapping is an error ("mapping key ... already defined at line N").
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.constructor import ConstructorError

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
STR = "tag:yaml.org,2002:str"

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_FLOATS = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf, "+.Inf": math.inf,
                   "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
                   ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# parseTimestamp's formats; Go's "1"/"15"/"4"/"5" take one or two digits, ".999999999" is optional.
_TIMESTAMP = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?P<sep>[Tt ])(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{1,2}):(?P<s>[0-9]{1,2})(?:\.(?P<frac>[0-9]{1,9}))?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?)?")
_INT64 = (-(2**63), 2**63 - 1)
_DIGITS = {2: set("01"), 8: set("01234567"), 10: set("0123456789"), 16: set("0123456789abcdefABCDEF")}
_UINT64_MAX = 2**64 - 1


def go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), else ParseUint(text, 0, 64); None if neither reads it."""
    sign, body = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    lowered = body.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        base, digits = {"x": 16, "o": 8, "b": 2}[lowered[1]], body[2:]
    elif len(body) > 1 and body.startswith("0"):
        base, digits = 8, body[1:]
    else:
        base, digits = 10, body
    if not digits or any(c not in _DIGITS[base] for c in digits):
        return None
    value = int(digits, base) * (-1 if sign == "-" else 1)
    if _INT64[0] <= value <= _INT64[1] or (sign == "" and value <= _UINT64_MAX):
        return value
    return None


def go_timestamp(text: str) -> str | None:
    """The Go time.Time.String() text of a yaml.v3 timestamp, or None if `text` is not one."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return None
    if match["zone"] is not None and match["sep"] == " ":
        return None  # the space-separated format has no zone
    try:
        date = dt.date(int(match["y"]), int(match["mo"]), int(match["d"]))
        clock = dt.time(int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0))
    except ValueError:
        return None
    frac = (match["frac"] or "").rstrip("0")
    zone = match["zone"]
    if zone is None or zone == "Z":
        suffix = "+0000 UTC"
    else:
        # time.Parse fabricates a zone without a name for an offset: String() prints the offset twice
        # (on a CLI host whose local zone has that offset it prints the local zone's name instead).
        offset = zone.replace(":", "")
        suffix = f"{offset} {offset}"
    return f"{date.isoformat()} {clock.isoformat()}{'.' + frac if frac else ''} {suffix}"


def yaml_v3_tag(text: str) -> str:
    """The tag yaml.v3 resolves a plain scalar to."""
    if text in _NULLS:
        return NULL
    if text in _BOOLS:
        return BOOL
    if text in _SPECIAL_FLOATS:
        return FLOAT
    if text == "<<":
        return MERGE
    first = text[0]
    if first.isdigit() or first in "+-":
        if go_timestamp(text) is not None:
            return TIMESTAMP
        plain = text.replace("_", "")
        if go_parse_int(plain) is not None:
            return INT
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            return FLOAT
        return STR
    if first == "." and re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text):
        return FLOAT
    return STR


def go_float_text(value: float) -> str:
    """A float as Go's encoding/json writes it (what the program receives): no `.0`, exponent
    only below 1e-6 or from 1e21."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        mantissa, exponent = repr(value).split("e") if "e" in repr(value) else (repr(value), "0")
        return f"{mantissa}e{exponent[0] if exponent[0] in '+-' else '+'}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return format(Decimal(repr(value)), "f")


class PulumiYamlLoader(yaml.SafeLoader):
    """A safe loader with yaml.v3's resolution, unique keys, and a note of each float whose value
    does not spell its text (`7.10` arrives as 7.1)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.reshaped: list[str] = []

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return yaml_v3_tag(value)
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # the base constructor reports an unhashable key
            if key in first_line:
                raise ConstructorError(None, None, f"mapping key {str(key)!r} already defined at line "
                                                   f"{first_line[key]}", key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: PulumiYamlLoader, node: yaml.ScalarNode) -> int:
    value = go_parse_int(str(node.value).replace("_", ""))
    assert value is not None  # resolved as an int
    return value


def _construct_float(loader: PulumiYamlLoader, node: yaml.ScalarNode) -> float:
    text = str(node.value)
    value = _SPECIAL_FLOATS[text] if text in _SPECIAL_FLOATS else float(text.replace("_", ""))
    if math.isinf(value) or math.isnan(value):
        raise ConstructorError(None, None, f"{text} is not a finite number: a config value cannot carry it "
                                           "(quote it if you meant the text)", node.start_mark)
    if go_float_text(value) != text:
        loader.reshaped.append(f"{node.start_mark.line + 1}: {text} is read as the number {go_float_text(value)}")
    return value


def _construct_timestamp(loader: PulumiYamlLoader, node: yaml.ScalarNode) -> str:
    text = go_timestamp(str(node.value))
    assert text is not None  # resolved as a timestamp
    return text


PulumiYamlLoader.add_constructor(INT, _construct_int)
PulumiYamlLoader.add_constructor(FLOAT, _construct_float)
PulumiYamlLoader.add_constructor(TIMESTAMP, _construct_timestamp)


def config_string(value: Any) -> str:
    """A config value as the program receives it: text as-is, numbers and booleans as JSON text,
    objects and lists as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return go_float_text(value)
    return json.dumps(_integral_floats_as_ints(value))


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value == int(value) and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    return value
