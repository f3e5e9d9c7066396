"""`rxl code parse` and `rxl code qr`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
EXAMPLE = "]d201095011015300031726123110ABC123\x1d21XYZ987"


def test_parse_json_keys() -> None:
    result = runner.invoke(app, ["code", "parse", EXAMPLE, "--json", "--reference-year", "2025"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["scheme"] == "gs1"
    assert data["gtin"] == "09501101530003"
    assert data["serial"] == "XYZ987"
    assert data["lot"] == "ABC123"
    assert data["expiry"] == "2026-12-31"
    assert data["expiry_raw"] == "261231"
    assert data["element_string"] == "010950110153000310ABC123\x1d21XYZ987\x1d17261231"
    assert data["digital_link"] == (
        "https://id.gs1.org/01/09501101530003/10/ABC123/21/XYZ987?17=261231"
    )
    assert "sscc" not in data
    assert "epc_urn" not in data
    assert "\\u001d" in result.stdout


def test_parse_urn_with_prefix_length_emits_epc_urn() -> None:
    urn = "urn:epc:id:sgtin:0614141.107346.2017"
    result = runner.invoke(app, ["code", "parse", urn, "--json"])
    data = json.loads(result.stdout)
    assert data["epc_urn"] == urn
    assert data["gtin"] == "10614141073464"
    other = runner.invoke(
        app,
        ["code", "parse", "(01)10614141073464(21)2017", "--json", "--company-prefix-length", "7"],
    )
    assert json.loads(other.stdout)["epc_urn"] == urn


def test_parse_invalid_exits_2_with_one_line_reason() -> None:
    result = runner.invoke(app, ["code", "parse", "(01)12345678901232", "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "bad check digit" in result.stderr


def test_parse_lenient_reports_warnings() -> None:
    result = runner.invoke(
        app, ["code", "parse", "http://id.gs1.org/01/9501101530003", "--json", "--lenient"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["gtin"] == "09501101530003"
    assert "http upgraded to https" in data["warnings"]


def test_parse_table_output() -> None:
    result = runner.invoke(app, ["code", "parse", "81234567890123456789"])
    assert result.exit_code == 0
    assert "nmpa20" in result.stdout
    assert "nmpa:8123456" in result.stdout


def test_qr_terminal_and_files(tmp_path: Path) -> None:
    text = "(01)10614141073464(21)2017"
    terminal = runner.invoke(app, ["code", "qr", text])
    assert terminal.exit_code == 0
    assert "https://id.gs1.org/01/10614141073464/21/2017" in terminal.stdout
    assert "█" in terminal.stdout or "▀" in terminal.stdout
    png = tmp_path / "code.png"
    assert runner.invoke(app, ["code", "qr", text, "--out", str(png)]).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = tmp_path / "code.svg"
    assert runner.invoke(app, ["code", "qr", text, "--out", str(svg)]).exit_code == 0
    assert b"<svg" in svg.read_bytes()


def test_qr_rejects_bad_suffix_and_bad_code(tmp_path: Path) -> None:
    bad_suffix = runner.invoke(
        app, ["code", "qr", "09501101530003", "--out", str(tmp_path / "x.gif")]
    )
    assert bad_suffix.exit_code == 2
    assert ".png or .svg" in bad_suffix.stderr
    assert runner.invoke(app, ["code", "qr", "nonsense"]).exit_code == 2
