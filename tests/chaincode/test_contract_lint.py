"""The determinism guard: an AST check over every module under ``chaincode/contracts/``.

DESIGN.md, Contracts: no wall clock, no randomness, no I/O, no floats, no iteration over
unordered sets (issue 6 item 3). A contract that needs one of these has a design problem, so
the check has no per-line escape hatch. ``decimal`` is allowed (mean kinetic temperature).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "chaincode" / "contracts"

FORBIDDEN_MODULES = frozenset(
    {
        "time",
        "random",
        "secrets",
        "os",
        "socket",
        "subprocess",
        "threading",
        "multiprocessing",
        "asyncio",
        "uuid",
        "requests",
        "httpx",
        "urllib",
        "http",
    }
)
"""Clocks, randomness, processes, threads and network: nothing a replica can replay."""
CLOCK_METHODS = frozenset({"now", "utcnow", "today", "fromtimestamp"})
"""``datetime.now()``, ``date.today()``…; ``fromtimestamp`` reads the local time zone."""
FORBIDDEN_CALLS = frozenset({"open", "float", "hash", "id", "input"})
"""File I/O, floats, and values that differ between processes (``hash`` of str, ``id``)."""
ORDER_TAKERS = frozenset({"list", "tuple", "enumerate", "iter", "next", "reversed", "zip"})
"""Builtins whose result depends on the iteration order of their argument."""


def _is_set(node: ast.expr) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("set", "frozenset")
    )


class _Checker(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[str] = []

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.where}:{getattr(node, 'lineno', 0)}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                self._flag(node, f"imports {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module and node.module.split(".")[0] in FORBIDDEN_MODULES:
            self._flag(node, f"imports from {node.module}")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, float | complex):
            self._flag(node, f"float literal {node.value!r}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLOCK_METHODS:
            self._flag(node, f"reads the clock: .{func.attr}()")
        if isinstance(func, ast.Name):
            if func.id in FORBIDDEN_CALLS:
                self._flag(node, f"calls {func.id}()")
            if func.id in ORDER_TAKERS and node.args and _is_set(node.args[0]):
                self._flag(node, f"{func.id}() over a set: order differs between processes")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        if _is_set(node.iter):
            self._flag(node, "iterates over a set")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if _is_set(node.iter):
            self._flag(node.iter, "comprehension over a set")
        self.generic_visit(node)


def violations(source: str, where: str = "<source>") -> list[str]:
    """Every determinism rule the module source breaks, as ``where:line: what``."""
    checker = _Checker(where)
    checker.visit(ast.parse(source, filename=where))
    return checker.found


def contract_modules() -> list[Path]:
    return sorted(p for p in CONTRACTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_there_are_contract_modules_to_check() -> None:
    names = {p.relative_to(CONTRACTS).parts[0] for p in contract_modules()}
    assert "trace" in names


@pytest.mark.parametrize(
    "path", contract_modules(), ids=lambda p: p.relative_to(CONTRACTS).as_posix()
)
def test_contract_module_is_deterministic(path: Path) -> None:
    where = path.relative_to(ROOT).as_posix()
    assert violations(path.read_text(encoding="utf-8"), where) == []


BAD_SAMPLES = {
    "import time": "imports time",
    "import os.path": "imports os.path",
    "from random import choice": "imports from random",
    "import secrets, uuid": "imports secrets",
    "from socket import socket": "imports from socket",
    "import subprocess": "imports subprocess",
    "import threading": "imports threading",
    "import asyncio": "imports asyncio",
    "import requests": "imports requests",
    "from httpx import Client": "imports from httpx",
    "from datetime import datetime\nx = datetime.now()": "reads the clock: .now()",
    "import datetime\nx = datetime.datetime.utcnow()": "reads the clock: .utcnow()",
    "from datetime import date\nx = date.today()": "reads the clock: .today()",
    "x = open('f').read()": "calls open()",
    "x = 0.5": "float literal 0.5",
    "x = 1e3": "float literal 1000.0",
    "x = float('2')": "calls float()",
    "x = hash('a')": "calls hash()",
    "for k in {1, 2}: pass": "iterates over a set",
    "for k in set(xs): pass": "iterates over a set",
    "ys = [k for k in frozenset(xs)]": "comprehension over a set",
    "ys = list({k for k in xs})": "list() over a set",
}


@pytest.mark.parametrize(("source", "expected"), sorted(BAD_SAMPLES.items()))
def test_the_checker_fires_on_bad_code(source: str, expected: str) -> None:
    found = violations(source)
    assert any(expected in v for v in found), found


def test_the_checker_accepts_deterministic_code() -> None:
    good = """
from decimal import Decimal, getcontext
from datetime import date
seen = set(xs)
ordered = sorted(set(xs))
ok = 3 in {1, 2, 3}
day = date.fromisoformat("2026-01-01")
total = Decimal("1.5") * 2
"""
    assert violations(good) == []
