"""up / status / down / wipe against a stand-in node program (fake_node.py): the process,
pid-file and health logic, fast. test_local_e2e.py runs the real nodes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from network import local, processes
from network.consortium import Consortium, generate_consortium
from network.errors import MaterialMissing, NetworkNotReady, PortBusy
from network.orgs import default_orgs
from network.probe import NodeHealth, Unreachable
from network.processes import read_pid
from tests.network.local_support import fake_node_command, free_base_ports


@pytest.fixture
def consortium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Consortium]:
    monkeypatch.setattr(processes, "node_command", fake_node_command)
    api, peer = free_base_ports(3)
    made = generate_consortium(
        tmp_path / "net",
        default_orgs()[:3],
        insecure_dev_keys=True,
        base_api_port=api,
        base_peer_port=peer,
    )
    yield made
    # Stop whatever a test left running, even if it damaged the configs.
    records = [processes.running_node(made.directory / n.org / "node.pid") for n in made.nodes]
    processes.stop_all([r.pid for r in records if r is not None], grace_s=1.0)


def _pids(made: Consortium) -> list[int | None]:
    return [s.pid for s in local.status(made.directory)]


def test_up_waits_for_one_leader_and_down_stops_every_node(consortium: Consortium) -> None:
    statuses = local.up(consortium.directory, wait_s=30)
    assert [s.node.org for s in statuses] == ["manufacturer", "distributor", "pharmacy"]
    assert all(isinstance(s.health, NodeHealth) and s.health.leader_id == 1 for s in statuses)
    pids = _pids(consortium)
    assert all(pid is not None and processes.is_alive(pid) for pid in pids)
    assert "rxl network up" in (consortium.directory / "manufacturer" / "node.log").read_text()

    results = local.down(consortium.directory, grace_s=10)
    assert [r.outcome for r in results] == ["stopped"] * 3
    assert not any(processes.is_alive(pid) for pid in pids if pid is not None)
    assert not any((consortium.directory / o / "node.pid").exists() for o in ("manufacturer",))
    after = local.status(consortium.directory)
    assert all(s.pid is None and isinstance(s.health, Unreachable) for s in after)


def test_up_again_leaves_running_nodes_alone(consortium: Consortium) -> None:
    local.up(consortium.directory, wait_s=30)
    before = _pids(consortium)
    local.up(consortium.directory, wait_s=30)
    assert _pids(consortium) == before


def test_a_node_that_exits_fails_up_with_its_log(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NODE_MODE", "crash")
    with pytest.raises(NetworkNotReady, match=r"node \(pid \d+\) exited while starting") as info:
        local.up(consortium.directory, wait_s=30)
    assert "cannot open the ledger (simulated)" in info.value.details
    assert all(pid is None for pid in _pids(consortium))


def test_no_leader_before_the_deadline_stops_what_up_started(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NODE_MODE", "no_leader")
    with pytest.raises(NetworkNotReady, match="did not agree on a leader") as info:
        local.up(consortium.directory, wait_s=1.5)
    assert all(f"({org})" in info.value.details for org in ("manufacturer", "pharmacy"))
    assert all(pid is None for pid in _pids(consortium))
    assert not (consortium.directory / "pharmacy" / "node.pid").exists()


def test_down_kills_a_node_that_ignores_sigterm(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NODE_MODE", "ignore_term")
    local.up(consortium.directory, wait_s=30)
    assert {r.outcome for r in local.down(consortium.directory, grace_s=0.3)} == {"killed"}


def test_a_busy_port_is_refused_before_any_node_starts(consortium: Consortium) -> None:
    node = consortium.nodes[2]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", node.peer_port))
        holder.listen()
        with pytest.raises(PortBusy, match=f"port {node.peer_port}.*pharmacy"):
            local.up(consortium.directory, wait_s=30)
    assert all(
        read_pid(consortium.directory / n.org / "node.pid") is None for n in consortium.nodes
    )


def test_wipe_deletes_ledgers_and_logs_and_keeps_keys(consortium: Consortium) -> None:
    local.up(consortium.directory, wait_s=30)
    ledger = consortium.directory / "distributor" / "data"
    ledger.mkdir()
    (ledger / "data.mdb").write_bytes(b"x")
    removed = local.wipe(consortium.directory)
    assert ledger in removed
    assert not ledger.exists()
    assert not (consortium.directory / "distributor" / "node.log").exists()
    assert (consortium.directory / "distributor" / "node.key").exists()
    assert consortium.genesis.exists()
    assert all(pid is None for pid in _pids(consortium))


def test_a_folder_without_a_consortium_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(MaterialMissing, match="rxl network init --dir"):
        local.status(tmp_path)


def test_a_config_that_disagrees_with_the_genesis_is_refused(consortium: Consortium) -> None:
    config = consortium.directory / "pharmacy" / "node.toml"
    config.write_text(config.read_text().replace("node_id = 3", "node_id = 9"))
    with pytest.raises(MaterialMissing, match="node_id 9, the genesis says 3"):
        local.up(consortium.directory, wait_s=1)


def test_a_missing_node_config_is_reported(consortium: Consortium) -> None:
    (consortium.directory / "pharmacy" / "node.toml").unlink()
    with pytest.raises(MaterialMissing, match=r"pharmacy/node\.toml is missing"):
        local.status(consortium.directory)
