"""Kubernetes resource quantities ("500m", "1.5Gi", "1e3"), parsed as the API server parses them.

Grammar and suffixes from kubernetes/apimachinery@v0.35.0 pkg/api/resource/quantity.go
(`parseQuantityString`: sign, digits with an optional fraction, then a suffix) and suffix.go
(`newSuffixer`: binary Ki..Ei, decimal n u m "" k M G T P E, else an exponent e<int>/E<int>, the table
looked up first, so "1E" is one exa and "1E3" is a thousand). Values are exact fractions, never floats.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL_SUFFIXES = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
                    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
                    "P": Fraction(10**15), "E": Fraction(10**18)}
# parseQuantityString: the number, then suffix characters from this set, then an optional signed integer.
_SHAPE = re.compile(r"(?P<sign>[+-]?)(?P<number>[0-9]+\.?[0-9]*|\.[0-9]+)(?P<suffix>[eEinumkKMGTP]*[+-]?[0-9]*)")
SUFFIX_HELP = "binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an exponent such as e3"


class QuantityError(ValueError):
    pass


def split_quantity(text: Any) -> tuple[Fraction, str]:
    """The number and the suffix of a quantity, as written ("1.5Gi" -> (3/2, "Gi"))."""
    value = str(text).strip() if isinstance(text, (int, float)) else str(text)
    match = _SHAPE.fullmatch(value)
    if not match:
        raise QuantityError(f"{value!r} is not a Kubernetes quantity (a number and an optional suffix: {SUFFIX_HELP})")
    number = Fraction(match["number"] + ("0" if match["number"].endswith(".") else ""))
    return (-number if match["sign"] == "-" else number), match["suffix"]


def suffix_multiplier(suffix: str) -> Fraction:
    if suffix in BINARY_SUFFIXES:
        return Fraction(BINARY_SUFFIXES[suffix])
    if suffix in DECIMAL_SUFFIXES:
        return DECIMAL_SUFFIXES[suffix]
    exponent = re.fullmatch(r"[eE]([+-]?[0-9]+)", suffix)
    if exponent:
        return Fraction(10) ** int(exponent[1])
    raise QuantityError(f"{suffix!r} is not a Kubernetes suffix ({SUFFIX_HELP})")


def parse_quantity(text: Any) -> Fraction:
    """The exact value of a quantity ("500m" -> 1/2, "1Ki" -> 1024)."""
    number, suffix = split_quantity(text)
    return number * suffix_multiplier(suffix)


def cpu_millicores(quantity: Any) -> int:
    """A CPU quantity in millicores; Kubernetes rounds a fraction of a millicore up (0.1m is 1m)."""
    return math.ceil(parse_quantity(quantity) * 1000)


def memory_mib(quantity: Any) -> float:
    """A memory quantity in MiB."""
    return float(parse_quantity(quantity) / 2**20)
