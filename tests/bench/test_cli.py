"""`rxl bench` without a network: help, and errors that say what to do."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.bench import app


def test_every_benchmark_is_a_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("single-event", "commission", "verify", "history", "catch-up"):
        assert command in result.stdout


def test_a_folder_without_a_consortium_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["single-event", "--network-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "rxl network init" in result.stderr


def test_a_consortium_without_the_bench_members_is_a_usage_error(tmp_path: Path) -> None:
    from cli.network import app as network_app

    directory = tmp_path / "net"
    init = CliRunner().invoke(
        network_app,
        ["init", "--dir", str(directory), "--insecure-dev-keys", "--orgs", "regulator,hospital"],
    )
    assert init.exit_code == 0, init.output
    result = CliRunner().invoke(app, ["commission", "--network-dir", str(directory)])
    assert result.exit_code == 2
    assert "--orgs manufacturer,distributor,pharmacy" in result.stderr
