from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from chaincode.contracts import builtin_contracts
from chaincode.registry import code_hash
from cli.network import PASSPHRASE_ENV, app, builtin_pins
from network import consortium as consortium_module
from node.genesis import load_genesis
from sdk.keyfile import CHEAP_KDF, load_key
from tests.network.local_support import free_base_ports


def _init(directory: Path, *extra: str, input_text: str | None = None) -> Result:
    base, _ = free_base_ports(4, peer_offset=100)
    args = ["init", "--dir", str(directory), "--base-port", str(base), *extra]
    return CliRunner().invoke(app, args, input=input_text)


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, output
    return lines[0]


def test_init_writes_a_consortium_with_every_builtin_contract_pinned(tmp_path: Path) -> None:
    result = _init(tmp_path / "net", "--insecure-dev-keys", "--json", "--chain-id", "demo-1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    genesis = load_genesis(tmp_path / "net" / "genesis.json")
    assert report["genesis_hash"] == genesis.hash()
    assert report["chain_id"] == genesis.chain_id == "demo-1"
    assert report["insecure_dev_keys"] is True
    pinned = {(c.name, c.version, c.code_hash) for c in genesis.contracts}
    assert pinned == {(c.name, c.version, code_hash(type(c))) for c in builtin_contracts()}
    assert [n["org"] for n in report["nodes"]] == [
        "manufacturer",
        "distributor",
        "pharmacy",
        "regulator",
    ]
    api_ports = [n["api_port"] for n in report["nodes"]]
    assert [n["peer_port"] for n in report["nodes"]] == [p + 100 for p in api_ports]
    qp = next(m for m in report["members"] if m["name"] == "qp")
    assert load_key(Path(qp["key_file"]), "").key_id.hex() == qp["key_id"]


def test_builtin_pins_name_each_builtin_once() -> None:
    names = [p.name for p in builtin_pins()]
    assert sorted(names) == sorted(c.name for c in builtin_contracts())


def test_init_shows_tables_and_warns_about_insecure_keys(tmp_path: Path) -> None:
    result = _init(tmp_path / "net", "--insecure-dev-keys", "--orgs", "manufacturer,regulator")
    assert result.exit_code == 0, result.output
    assert "members enrolled at genesis" in result.output
    assert "insecure dev keys" in result.stderr
    assert f"rxl network up --dir {tmp_path / 'net'}" in result.output


def test_init_refuses_to_overwrite_and_force_replaces(tmp_path: Path) -> None:
    assert _init(tmp_path / "net", "--insecure-dev-keys").exit_code == 0
    before = (tmp_path / "net" / "genesis.json").read_bytes()
    again = _init(tmp_path / "net", "--insecure-dev-keys")
    assert again.exit_code == 2
    assert "--force" in _error_line(again.output)
    assert (tmp_path / "net" / "genesis.json").read_bytes() == before
    forced = _init(tmp_path / "net", "--insecure-dev-keys", "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "net" / "genesis.json").read_bytes() != before


def test_init_reads_the_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consortium_module, "DEFAULT_KDF", CHEAP_KDF)  # keep the test fast
    monkeypatch.setenv(PASSPHRASE_ENV, "a long enough passphrase")
    result = _init(tmp_path / "net", "--orgs", "regulator", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    admin = report["members"][0]
    assert report["insecure_dev_keys"] is False
    key = load_key(Path(admin["key_file"]), "a long enough passphrase")
    assert key.key_id.hex() == admin["key_id"]


def test_init_without_a_passphrase_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    result = _init(tmp_path / "net", input_text="")
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert PASSPHRASE_ENV in line
    assert "--insecure-dev-keys" in line
    assert not (tmp_path / "net").exists()


@pytest.mark.parametrize(
    ("orgs", "message"),
    [("wholesaler", "not a preset"), ("acme:wizard", "unknown role"), ("", "at least one")],
)
def test_bad_orgs_are_usage_errors(tmp_path: Path, orgs: str, message: str) -> None:
    result = _init(tmp_path / "net", "--insecure-dev-keys", "--orgs", orgs)
    assert result.exit_code == 2
    assert message in _error_line(result.output)


def test_a_busy_port_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = CliRunner().invoke(
            app,
            [
                "init",
                "--dir",
                str(tmp_path / "net"),
                "--insecure-dev-keys",
                "--base-port",
                f"{busy}",
            ],
        )
    assert result.exit_code == 2
    assert f"port {busy}" in _error_line(result.output)


def test_status_down_and_wipe_of_a_stopped_network(tmp_path: Path) -> None:
    assert _init(tmp_path / "net", "--insecure-dev-keys").exit_code == 0
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--dir", str(tmp_path / "net"), "--json"])
    assert status.exit_code == 3
    rows = json.loads(status.stdout)
    assert [(r["pid"], r["state"]) for r in rows] == [(None, "not running")] * 4
    down = runner.invoke(app, ["down", "--dir", str(tmp_path / "net")])
    assert down.exit_code == 0
    assert down.output.count("not running") == 4
    wipe = runner.invoke(app, ["wipe", "--dir", str(tmp_path / "net"), "--yes"])
    assert wipe.exit_code == 0
    assert "rxl network up" in wipe.output


def test_wipe_asks_first(tmp_path: Path) -> None:
    assert _init(tmp_path / "net", "--insecure-dev-keys").exit_code == 0
    result = CliRunner().invoke(app, ["wipe", "--dir", str(tmp_path / "net")], input="n\n")
    assert result.exit_code == 2
    assert "--yes" in _error_line(result.output)


@pytest.mark.parametrize("command", ["up", "status", "down"])
def test_commands_on_a_folder_without_a_consortium(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(app, [command, "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "rxl network init" in _error_line(result.output)
