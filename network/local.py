"""A local network: every node of a generated consortium as a process on this machine.

``up`` starts the nodes that are not running (after checking their ports), then waits until
every node answers ``/health`` and all of them report the same leader; if a node exits or
the deadline passes, the nodes it started are stopped again and the error quotes the end of
the failing node's log. ``status`` reads pid files and asks each node; ``down`` sends SIGTERM
to all nodes at once and SIGKILL to any still running after the grace period; ``wipe`` stops
the nodes and deletes their ledgers and logs, keeping keys and genesis so ``up`` starts the
chain again from block 0.
"""

from __future__ import annotations

import json
import shutil
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from network.errors import MaterialMissing, NetworkNotReady, NodesRunning
from network.layout import ConsortiumLayout, OrgPaths
from network.ports import WILDCARD_HOSTS, require_free
from network.probe import NodeHealth, Unreachable, probe
from network.processes import (
    PidRecord,
    StopOutcome,
    is_alive,
    read_pid,
    running_node,
    spawn_node,
    stop_all,
    write_pid,
)

POLL_S: Final = 0.2
PROBE_TIMEOUT_S: Final = 2.0
LOG_TAIL_LINES: Final = 20


@dataclass(frozen=True, slots=True)
class LocalNode:
    """One node of the consortium folder, as its genesis row and node.toml describe it."""

    node_id: int
    org: str
    paths: OrgPaths
    api_host: str
    api_port: int
    peer_host: str
    peer_port: int
    data_dir: Path

    @property
    def api_url(self) -> str:
        host = self.api_host
        if host in WILDCARD_HOSTS:
            host = "::1" if host == "::" else "127.0.0.1"
        return (
            f"http://[{host}]:{self.api_port}" if ":" in host else f"http://{host}:{self.api_port}"
        )


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node: LocalNode
    pid: int | None
    """The running node's pid; None when it is not running."""
    health: NodeHealth | Unreachable


@dataclass(frozen=True, slots=True)
class StopResult:
    node: LocalNode
    pid: int | None
    outcome: StopOutcome


# --- the consortium on disk ---------------------------------------------------------------


def load_nodes(directory: Path) -> list[LocalNode]:
    """The nodes of the consortium in ``directory``, by node id."""
    layout = ConsortiumLayout(directory)
    rows = _genesis_nodes(layout.genesis)
    orgs = [str(row.get("org")) for row in rows]
    shared = sorted({o for o in orgs if orgs.count(o) > 1})
    if shared:
        raise MaterialMissing(
            f"{layout.genesis} has more than one node for {', '.join(shared)}; a local network "
            "runs one node per organization folder"
        )
    return sorted((_node(layout, row) for row in rows), key=lambda n: n.node_id)


def _genesis_nodes(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MaterialMissing(
            f"no consortium in {path.parent} (no {path.name}); create one with "
            f"`rxl network init --dir {path.parent}`"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MaterialMissing(f"{path} is not readable JSON ({exc}); regenerate it") from exc
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    if not isinstance(nodes, list) or not nodes or not all(isinstance(n, dict) for n in nodes):
        raise MaterialMissing(f"{path} lists no nodes; regenerate it with `rxl network init`")
    return nodes


def _node(layout: ConsortiumLayout, row: dict[str, Any]) -> LocalNode:
    paths = layout.org(str(row.get("org")))
    config = paths.node_config
    try:
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
        node_id, api, peer = int(raw["node_id"]), raw["api"], raw["peer"]
        node = LocalNode(
            node_id=node_id,
            org=paths.root.name,
            paths=paths,
            api_host=str(api.get("host", "127.0.0.1")),
            api_port=int(api["port"]),
            peer_host=str(peer.get("host", "127.0.0.1")),
            peer_port=int(peer["port"]),
            data_dir=(config.parent / str(raw["data_dir"])).resolve(),
        )
    except FileNotFoundError as exc:
        raise MaterialMissing(
            f"the genesis names a node of {paths.root.name}, but {config} is missing; "
            "regenerate the consortium with `rxl network init --force`"
        ) from exc
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise MaterialMissing(f"{config} is not a usable node config ({exc!r})") from exc
    if node.node_id != row.get("id"):
        raise MaterialMissing(
            f"{config} says node_id {node.node_id}, the genesis says {row.get('id')} for "
            f"{node.org}; fix one of them"
        )
    return node


# --- up -----------------------------------------------------------------------------------


def up(
    directory: Path,
    *,
    wait_s: float = 60.0,
    poll_s: float = POLL_S,
    progress: Callable[[str], None] | None = None,
) -> list[NodeStatus]:
    """Start the nodes that are not running and wait until all agree on one leader."""
    say = progress or (lambda _message: None)
    nodes = load_nodes(directory)
    to_start = [n for n in nodes if running_node(n.paths.pid) is None]
    for node in to_start:
        require_free(node.api_host, [(node.api_port, f"API of the {node.org} node")])
        require_free(node.peer_host, [(node.peer_port, f"peer port of the {node.org} node")])
    started: list[tuple[LocalNode, int]] = []
    for node in to_start:
        pid = spawn_node(node.paths.node_config, node.paths.log)
        write_pid(node.paths.pid, PidRecord(pid, node.paths.node_config))
        started.append((node, pid))
        say(f"started node {node.node_id} ({node.org}), pid {pid}, log {node.paths.log}")
    try:
        return _wait_ready(nodes, dict(started), time.monotonic() + wait_s, poll_s)
    except NetworkNotReady:
        _stop(nodes_with_pids=started, grace_s=5.0)
        raise


def _wait_ready(
    nodes: Sequence[LocalNode], started: dict[LocalNode, int], deadline: float, poll_s: float
) -> list[NodeStatus]:
    with httpx.Client(timeout=PROBE_TIMEOUT_S) as client:
        while True:
            _fail_on_exit(started)
            statuses = [_status(client, n) for n in nodes]
            if _agreed(statuses):
                return statuses
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NetworkNotReady(
                    "the nodes did not agree on a leader in time (those this command started "
                    "were stopped); read their "
                    "logs (node.log in each org folder), or raise --wait on a slow machine",
                    _not_ready(statuses),
                )
            time.sleep(min(poll_s, remaining))


def _agreed(statuses: Sequence[NodeStatus]) -> bool:
    """Every node healthy and naming the same leader, which is one of them."""
    leaders = {s.health.leader_id if isinstance(s.health, NodeHealth) else None for s in statuses}
    ids = {s.node.node_id for s in statuses}
    healthy = all(isinstance(s.health, NodeHealth) and s.health.healthy for s in statuses)
    return healthy and len(leaders) == 1 and leaders <= ids


def _fail_on_exit(started: dict[LocalNode, int]) -> None:
    for node, pid in started.items():
        if not is_alive(pid):
            raise NetworkNotReady(
                f"the {node.org} node (pid {pid}) exited while starting; read {node.paths.log} "
                "(its end is shown above), fix the cause and run `rxl network up` again",
                _tail(node.paths.log),
            )


def _not_ready(statuses: Sequence[NodeStatus]) -> str:
    lines: list[str] = []
    for s in statuses:
        if isinstance(s.health, Unreachable):
            state = f"unreachable ({s.health.reason})"
        else:
            state = f"{s.health.role}, term {s.health.term}, leader {s.health.leader_id}"
            state += f" ({s.health.error})" if s.health.error else ""
        lines.append(f"node {s.node.node_id} ({s.node.org}): {state}; log {s.node.paths.log}")
    return "\n".join(lines)


def _tail(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return f"(cannot read the log: {exc})"
    return "\n".join(lines[-LOG_TAIL_LINES:])


# --- status -------------------------------------------------------------------------------


def status(directory: Path, *, timeout_s: float = PROBE_TIMEOUT_S) -> list[NodeStatus]:
    """Each node's process and what its /health says."""
    nodes = load_nodes(directory)
    with httpx.Client(timeout=timeout_s) as client:
        return [_status(client, n) for n in nodes]


def _status(client: httpx.Client, node: LocalNode) -> NodeStatus:
    record = running_node(node.paths.pid)
    return NodeStatus(node, None if record is None else record.pid, probe(client, node.api_url))


# --- down and wipe ------------------------------------------------------------------------


def down(directory: Path, *, grace_s: float = 10.0) -> list[StopResult]:
    """Stop every running node: SIGTERM, then SIGKILL after ``grace_s``; pid files removed."""
    nodes = load_nodes(directory)
    running = []
    for node in nodes:
        record = running_node(node.paths.pid)
        running.append((node, None if record is None else record.pid))
    return _stop(nodes_with_pids=running, grace_s=grace_s)


def _stop(
    *, nodes_with_pids: Sequence[tuple[LocalNode, int | None]], grace_s: float
) -> list[StopResult]:
    pids = [pid for _, pid in nodes_with_pids if pid is not None]
    outcomes = stop_all(pids, grace_s=grace_s)
    results = []
    for node, pid in nodes_with_pids:
        outcome: StopOutcome = "not running" if pid is None else outcomes[pid]
        if outcome != "still running" and _pid_file_names(node, pid):
            node.paths.pid.unlink(missing_ok=True)
        results.append(StopResult(node, pid, outcome))
    return results


def _pid_file_names(node: LocalNode, pid: int | None) -> bool:
    """Remove the pid file only if it is stale or names the process we just stopped."""
    record = read_pid(node.paths.pid)
    return record is None or pid is None or record.pid == pid


def wipe(directory: Path, *, grace_s: float = 10.0) -> list[Path]:
    """Stop the nodes, then delete their ledgers and logs; keys and genesis stay."""
    nodes = load_nodes(directory)
    outside = [n for n in nodes if not n.data_dir.is_relative_to(directory.resolve())]
    if outside:
        raise MaterialMissing(
            f"the data_dir of {', '.join(n.org for n in outside)} lies outside {directory}; "
            "wipe refuses to delete it, remove it yourself"
        )
    results = down(directory, grace_s=grace_s)
    stuck = [r.node.org for r in results if r.outcome == "still running"]
    if stuck:
        raise NodesRunning(f"the nodes of {', '.join(stuck)} did not stop; nothing was wiped")
    removed: list[Path] = []
    for node in nodes:
        if node.data_dir.exists():
            shutil.rmtree(node.data_dir)
            removed.append(node.data_dir)
        if node.paths.log.exists():
            node.paths.log.unlink()
            removed.append(node.paths.log)
    return removed
