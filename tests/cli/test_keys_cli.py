"""`rxl keys`: new, show, import and export of encrypted key files; a new key signs for real
and a real network refuses it until it is enrolled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.keys import app
from cli.tx import app as tx_app
from sdk.keyfile import load_key
from tests.cli.ledger_support import LocalLedger, start_ledger

RUNNER = CliRunner()
FAST = "--insecure-fast-kdf"


def _run(args: list[str], passphrase: str = "correct horse") -> dict[str, object]:
    result = RUNNER.invoke(app, [*args], env={"RXL_KEY_PASSPHRASE": passphrase})
    assert result.exit_code == 0, result.output
    shown: dict[str, object] = json.loads(result.stdout) if "--json" in args else {}
    return shown


def test_new_then_show_agree_and_the_file_needs_its_passphrase(tmp_path: Path) -> None:
    key_file = tmp_path / "me.key"
    made = _run(["new", str(key_file), FAST, "--json"])
    assert key_file.stat().st_mode & 0o077 == 0
    assert _run(["show", str(key_file), "--json"])["key_id"] == made["key_id"]
    assert load_key(key_file, "correct horse").key_id.hex() == made["key_id"]
    again = RUNNER.invoke(app, ["new", str(key_file), FAST], env={"RXL_KEY_PASSPHRASE": "x"})
    assert again.exit_code == 2, again.output


def test_export_import_round_trips_pkcs8_and_seed(tmp_path: Path) -> None:
    key_file = tmp_path / "me.key"
    made = _run(["new", str(key_file), FAST, "--json"])
    for fmt in ("pkcs8", "seed"):
        plain = tmp_path / f"me.{fmt}"
        _run(["export", str(key_file), "--out", str(plain), "--format", fmt])
        assert plain.stat().st_mode & 0o077 == 0
        imported = tmp_path / f"imported-{fmt}.key"
        shown = _run(["import", str(plain), "--out", str(imported), FAST, "--json"], "other")
        assert shown["key_id"] == made["key_id"]
    public = tmp_path / "me.pub"
    _run(["export", str(key_file), "--out", str(public)])
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")


def test_a_wrong_passphrase_or_a_bad_import_exits_2(tmp_path: Path) -> None:
    key_file = tmp_path / "me.key"
    _run(["new", str(key_file), FAST])
    wrong = RUNNER.invoke(
        app,
        ["export", str(key_file), "--out", str(tmp_path / "x"), "--format", "seed"],
        env={"RXL_KEY_PASSPHRASE": "wrong"},
    )
    assert wrong.exit_code == 2, wrong.output
    assert "passphrase" in wrong.output
    junk = tmp_path / "junk.txt"
    junk.write_text("not a key")
    bad = RUNNER.invoke(app, ["import", str(junk), "--out", str(tmp_path / "j.key"), FAST])
    assert bad.exit_code == 2, bad.output


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("keys"))


@pytest.mark.e2e
def test_show_reads_a_members_certificate_and_a_new_key_is_refused_until_enrolled(
    ledger: LocalLedger, tmp_path: Path
) -> None:
    key, cert = ledger.member("distributor", "qa")
    shown = _run(["show", str(key), "--cert", str(cert), "--json"])
    assert (shown["org"], shown["member"], shown["roles"]) == (
        "distributor",
        "qa.distributor",
        ["qa"],
    )

    stranger = tmp_path / "stranger.key"
    _run(["new", str(stranger), FAST], passphrase="")
    env = ledger.env("distributor") | {"RXL_KEY": str(stranger)}
    refused = RUNNER.invoke(
        tx_app, ["invoke", "trace", "suspect", "--args", '{"codes": ["x"], "reason": "r"}'], env=env
    )
    assert refused.exit_code == 1, refused.output
    assert "signer." in refused.output
