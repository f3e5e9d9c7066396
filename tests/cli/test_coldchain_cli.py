"""`rxl coldchain mkt`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_mkt_vector(tmp_path: Path) -> None:
    path = _csv(tmp_path, "time,celsius\n2024-01-01T00:00:00Z,25.0\n2024-01-01T00:00:10Z,30.0\n")
    result = runner.invoke(app, ["coldchain", "mkt", str(path), "--min", "15", "--max", "25"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["mkt_celsius"] == "27.82"
    assert data["min"] == "25.00"
    assert data["max"] == "30.00"
    assert data["minutes_out_of_range"] == "0.17"
    assert data["gap_count"] == 0
    assert data["blind_spot_percent"] == "0.00"


def test_gaps_without_header_and_other_offsets(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "2024-01-01T01:00:00+01:00,4.0\n2024-01-01T00:00:10Z,5.0\n2024-01-01T00:01:10Z,6.0\n",
    )
    result = runner.invoke(app, ["coldchain", "mkt", str(path), "--interval-seconds", "10"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["gap_count"] == 1
    assert data["longest_gap_seconds"] == "50.000"
    assert data["blind_spot_percent"] == "62.50"
    assert "minutes_out_of_range" not in data


def test_bad_input_exits_2(tmp_path: Path) -> None:
    cases = {
        "2024-01-01T00:00:10Z,5\n2024-01-01T00:00:00Z,5\n": "not after",
        "2024-01-01T00:00:00,5\n": "no UTC offset",
        "2024-01-01T00:00:00Z,warm\n": "not a temperature",
        "2024-01-01T00:00:00Z,5,6\n": "expected 2 columns",
        "time,celsius\n": "no readings",
    }
    for text, reason in cases.items():
        result = runner.invoke(app, ["coldchain", "mkt", str(_csv(tmp_path, text))])
        assert result.exit_code == 2, text
        assert reason in result.stderr, (text, result.stderr)
    bad_bound = runner.invoke(
        app, ["coldchain", "mkt", str(_csv(tmp_path, "2024-01-01T00:00:00Z,5\n")), "--min", "x"]
    )
    assert bad_bound.exit_code == 2
