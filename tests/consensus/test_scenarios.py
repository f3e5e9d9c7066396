"""Scripted scenarios compared with their expected protocol traces.

Run with RXL_REWRITE=1 to rewrite the expected output, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consensus.testing.scenario import run_script

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.txt"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_trace_matches(path: Path) -> None:
    expected = path.read_text(encoding="utf-8")
    actual = run_script(expected)
    if os.environ.get("RXL_REWRITE") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == expected, f"{path.name} differs; run with RXL_REWRITE=1 and review"


def test_all_required_scenarios_exist() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {
        "election",
        "prevote",
        "check_quorum",
        "transfer",
        "snapshot",
        "replace_leader",
        "learner",
        "read_index",
    } <= names
