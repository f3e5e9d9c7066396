"""The shared plumbing of networked `rxl` commands: profiles (file, --profile, environment),
clear errors for missing profiles and key files, and the exit codes 2 and 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.context import Profile, resolve_profile
from cli.profile import app as profile_app
from cli.tx import app as tx_app
from network.consortium import generate_consortium
from network.orgs import default_orgs
from tests.network.local_support import free_base_ports

RUNNER = CliRunner()
CLEAN = {"RXL_PROFILE": "", "RXL_NODES": "", "RXL_KEY": "", "RXL_CERT": "", "RXL_CA": ""}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("RXL_CONFIG_DIR", str(directory))
    for name in CLEAN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RXL_KEY_PASSPHRASE", "")
    return directory


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated (not started) consortium: its nodes' ports answer nothing."""
    api, peer = free_base_ports(4)
    directory = tmp_path_factory.mktemp("ctx") / "net"
    generate_consortium(
        directory, default_orgs(), insecure_dev_keys=True, base_api_port=api, base_peer_port=peer
    )
    return directory


def test_a_profile_from_a_network_folder_becomes_the_default(config: Path, network: Path) -> None:
    added = RUNNER.invoke(
        profile_app,
        ["add", "mfg", "--network", str(network), "--org", "manufacturer", "--member", "qa"],
    )
    assert added.exit_code == 0, added.output
    profile = resolve_profile()
    assert profile.name == "mfg"
    assert len(profile.nodes) == 4
    assert profile.key == (network / "manufacturer" / "members" / "qa.key").resolve()
    assert (config / "config.toml").stat().st_mode & 0o077 == 0


def test_environment_overrides_the_profile(
    config: Path, network: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RUNNER.invoke(profile_app, ["add", "a", "--node", "http://127.0.0.1:1"])
    RUNNER.invoke(profile_app, ["add", "b", "--node", "http://127.0.0.1:2"])
    assert resolve_profile().name == "a"
    monkeypatch.setenv("RXL_PROFILE", "b")
    assert resolve_profile().nodes == ("http://127.0.0.1:2",)
    assert resolve_profile("a").nodes == ("http://127.0.0.1:1",)
    monkeypatch.setenv("RXL_NODES", "http://127.0.0.1:3, http://127.0.0.1:4")
    assert resolve_profile("a") == Profile("a", ("http://127.0.0.1:3", "http://127.0.0.1:4"))
    used = RUNNER.invoke(profile_app, ["use", "b"])
    assert used.exit_code == 0, used.output
    monkeypatch.delenv("RXL_PROFILE")
    monkeypatch.delenv("RXL_NODES")
    assert resolve_profile().name == "b"


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["query", "trace", "verify"], {}, "rxl profile add"),
        (["query", "trace", "verify", "--profile", "nope"], {}, "no profile 'nope'"),
        (["query", "trace", "verify"], {"RXL_NODES": "http://127.0.0.1:1"}, "no key file"),
        (
            ["query", "trace", "verify"],
            {"RXL_NODES": "http://127.0.0.1:1", "RXL_KEY": "/no/such.key"},
            "does not exist",
        ),
    ],
)
def test_missing_profiles_and_key_files_exit_2(
    config: Path, args: list[str], env: dict[str, str], needle: str
) -> None:
    result = RUNNER.invoke(tx_app, args, env=CLEAN | env)
    assert result.exit_code == 2, result.output
    assert needle in result.output


@pytest.mark.e2e
def test_no_reachable_node_exits_3(config: Path, network: Path) -> None:
    RUNNER.invoke(
        profile_app,
        ["add", "down", "--network", str(network), "--org", "regulator", "--member", "auditor"],
    )
    result = RUNNER.invoke(tx_app, ["query", "trace", "verify", "--args", '{"code": "x"}'])
    assert result.exit_code == 3, result.output
    assert "client.unavailable" in result.output
