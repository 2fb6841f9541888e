"""Kubernetes quantities: the API server's grammar (kubernetes/apimachinery@v0.35.0
pkg/api/resource/quantity.go, suffix.go), and separate settings rules for CPU and memory."""

from __future__ import annotations

from fractions import Fraction

import pytest

from components.quantity import QuantityError, cpu_millicores, memory_mib, parse_quantity
from tests.test_settings import errors, parse


@pytest.mark.parametrize(("text", "value"), [
    ("1.5", Fraction(3, 2)), (".5", Fraction(1, 2)), ("1.", 1), ("+1", 1), ("-1", -1), ("0", 0),
    ("500m", Fraction(1, 2)), ("1e3", 1000), ("1E3", 1000), ("1e-3", Fraction(1, 1000)),
    ("1E", 10**18),  # the table is looked up before the exponent: E is exa
    ("2Ki", 2048), ("1.5Gi", 3 * 2**29), ("1Ei", 2**60), ("4G", 4 * 10**9), ("1k", 1000), ("250u", Fraction(1, 4000)),
    (2, 2), (0.25, Fraction(1, 4)),
])
def test_the_grammar_of_the_api_server(text: object, value: Fraction | int):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "1Kb", "1K", "Gi", "1.2.3", "1e", "--1", "1 Gi", "1mi", "1Mi5", "."])
def test_what_the_api_server_refuses(text: str):
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_conversions_round_as_kubernetes_does():
    assert cpu_millicores("0.1m") == 1 and cpu_millicores("2") == 2000 and cpu_millicores("250m") == 250
    assert memory_mib("1Gi") == 1024 and memory_mib("1.5Ti") == 1.5 * 2**20 and memory_mib(2**20) == 1


@pytest.mark.parametrize(("key", "value", "says"), [
    ("memory", "512m", "did you mean 512Mi?"),        # milli-bytes: crashed the preview (exit 3)
    ("memory", "4", "4 bytes"),                        # four bytes: passed
    ("memory", "4Gb", "not a Kubernetes quantity"),
    ("cpu", "2Gi", "is a memory size"),                # crashed the preview (exit 3)
    ("cpu", "1k", "is a memory size"),
    ("cpu", "0", "more than 0"),
    ("cpu", "0.0001", "whole number of millicores"),
    ("cpu", "1e3", "CPU cores"),
])
def test_cpu_and_memory_have_their_own_rules(key: str, value: str, says: str):
    (issue,) = errors({"clickhouse": {key: value}}).issues
    assert issue.key == f"clickhouse.{key}" and issue.value == value and says in issue.allowed


@pytest.mark.parametrize(("cpu", "memory"), [("0.25", "1.5Gi"), ("250m", "4G"), ("2", "500Mi"), ("1.125", "16Mi")])
def test_valid_quantities_pass(cpu: str, memory: str):
    settings = parse({"clickhouse": {"cpu": cpu, "memory": memory}})
    assert settings.clickhouse.cpu == cpu and settings.clickhouse.memory == memory
