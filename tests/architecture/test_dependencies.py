"""The dependency direction of DESIGN.md, checked by walking every module's imports.

consensus -> nothing of ours; sdk -> nothing of ours; chaincode -> sdk;
node -> consensus, chaincode, sdk; cli -> sdk, node (and chaincode through node);
network -> sdk; nothing imports cli. The Raft core must stay free of I/O, clocks and
global randomness.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"consensus", "chaincode", "node", "sdk", "cli", "network", "bench"}
ALLOWED: dict[str, set[str]] = {
    "consensus": set(),
    "sdk": set(),
    "chaincode": {"sdk"},
    "node": {"consensus", "chaincode", "sdk"},
    "network": {"sdk"},
    "bench": {"sdk", "network"},
    "cli": {"sdk", "node", "chaincode", "consensus", "network", "bench"},
}
FORBIDDEN_IN_CONSENSUS = {"asyncio", "time", "random", "os", "socket", "threading", "logging"}
# The simulator seeds its own random.Random and hands it to the core; the core only ever
# receives an injected generator.
SIMULATOR_MAY_IMPORT = {"random"}


def _imported_roots(path: Path) -> Iterator[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0], alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0], node.module


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_design_allows(package: str) -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {full}"
        for path in _modules(package)
        for line, root, full in _imported_roots(path)
        if root in OURS and root != package and root not in ALLOWED[package]
    ]
    assert violations == []


def test_nothing_imports_cli() -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in sorted(OURS - {"cli"})
        for path in _modules(package)
        for line, root, _ in _imported_roots(path)
        if root == "cli"
    ]
    assert violations == []


def test_raft_core_has_no_io_clock_or_global_random() -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {full}"
        for path in _modules("consensus")
        for line, root, full in _imported_roots(path)
        if root in FORBIDDEN_IN_CONSENSUS
        and not ("testing" in path.relative_to(ROOT).parts and root in SIMULATOR_MAY_IMPORT)
    ]
    assert violations == []


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import time\nfrom node.storage import x\nimport sdk.tx as t\n")
    assert [root for _, root, _ in _imported_roots(probe)] == ["time", "node", "sdk"]
