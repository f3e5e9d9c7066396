"""Real rxledger node processes on 127.0.0.1 for end-to-end tests.

A :class:`Cluster` generates a consortium into a test's folder (one node per organization,
free ports, insecure dev keys), starts each node as ``python -m cli.main node start`` (the
same command ``rxl network up`` runs), and drives every node on its own: start, graceful
stop, SIGKILL, SIGSTOP and SIGCONT. It talks to the nodes only through their public HTTP
API — submits signed transactions, reads ``/health``, blocks, receipts and proofs (reads are
signed requests of a member, docs/api.md) — and waits by polling with a deadline: a wait
that runs out fails with every node's health and the end of its log.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx
import msgpack
import tomli_w

from cli.network import builtin_pins
from network.consortium import generate_consortium
from network.layout import ConsortiumLayout
from network.orgs import PRESETS
from network.ports import port_problem
from node.api.auth.canonical import request_message
from node.genesis import load_genesis
from sdk.keyfile import load_key
from sdk.keys import Domain, SigningKey
from sdk.tx import SignedTransaction

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
HTTP_TIMEOUT_S: Final = 10.0
POLL_S: Final = 0.05
START_TIMEOUT_S: Final = 60.0
"""A node process imports the whole stack before it listens: slow on a loaded 2-core box."""
STOP_TIMEOUT_S: Final = 15.0
LOG_TAIL_LINES: Final = 25
PORT_RANGE: Final = range(12_000, 32_000)
"""Below the kernel's ephemeral range, so no outgoing connection holds one of our ports."""

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A polled condition did not hold in time; the message carries the cluster's state."""


_HANDED_OUT: set[int] = set()
"""Ports this process gave to a cluster: two clusters generated before either starts (so
before either listens) must still get different ports."""


def free_base_port(count: int) -> int:
    """A base port with ``2 * count`` free consecutive ports (API ports, then peer ports),
    none of them handed out before by this process."""
    span = 2 * count
    start = PORT_RANGE.start + (os.getpid() * 97) % (len(PORT_RANGE) - span)
    for offset in range(0, len(PORT_RANGE), span + 3):
        base = PORT_RANGE.start + (start - PORT_RANGE.start + offset) % (len(PORT_RANGE) - span)
        ports = range(base, base + span)
        if _HANDED_OUT.isdisjoint(ports) and all(
            port_problem("127.0.0.1", p) is None for p in ports
        ):
            _HANDED_OUT.update(ports)
            return base
    raise RuntimeError("no free range of ports on 127.0.0.1")


@dataclass
class Node:
    """One node of the cluster and, while it runs, its process."""

    node_id: int
    org: str
    config: Path
    log: Path
    api_url: str
    peer_port: int
    process: subprocess.Popen[bytes] | None = None
    paused: bool = False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class SignedReads(httpx.Auth):
    """Signs every request as one member (docs/api.md, Signed requests)."""

    def __init__(self, chain_id: str, key: SigningKey) -> None:
        self.chain_id = chain_id
        self.key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp_ms = time.time_ns() // 1_000_000
        nonce = secrets.token_hex(16)
        message = request_message(
            chain_id=self.chain_id,
            method=request.method,
            target=request.url.raw_path.decode("ascii"),
            timestamp_ms=timestamp_ms,
            nonce=nonce,
            body=request.content,
        )
        signature = self.key.sign(Domain.REQUEST, message)
        request.headers["X-Rxl-Key-Id"] = self.key.key_id.hex()
        request.headers["X-Rxl-Timestamp"] = str(timestamp_ms)
        request.headers["X-Rxl-Nonce"] = nonce
        request.headers["X-Rxl-Signature"] = "ed25519:" + base64.b64encode(signature.value).decode(
            "ascii"
        )
        yield request


@dataclass(frozen=True)
class ChainView:
    """What one node serves: its blocks' hashes and transaction ids, height by height."""

    node_id: int
    hashes: dict[int, str]
    tx_ids: dict[int, list[str]]
    results: dict[int, list[str]]

    @property
    def height(self) -> int:
        return max(self.hashes, default=0)


@dataclass
class Cluster:
    """A generated consortium in ``directory`` and its node processes (see the module doc)."""

    directory: Path
    orgs: Sequence[str]
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Extra node.toml sections for every node, e.g. ``{"block": {"max_transactions": 4}}``."""
    nodes: dict[int, Node] = field(init=False, default_factory=dict)
    chain_id: str = field(init=False, default="")
    network_id: bytes = field(init=False, default=b"")
    """What every peer hello carries: the genesis hash (docs/transport.md)."""

    def __post_init__(self) -> None:
        base = free_base_port(len(self.orgs))
        consortium = generate_consortium(
            self.directory,
            [PRESETS[org] for org in self.orgs],
            base_api_port=base,
            base_peer_port=base + len(self.orgs),
            insecure_dev_keys=True,
            contracts=builtin_pins(),
        )
        self.chain_id = consortium.chain_id
        self.network_id = bytes.fromhex(load_genesis(consortium.genesis).hash())
        for generated in consortium.nodes:
            self._apply_settings(generated.config)
            self.nodes[generated.node_id] = Node(
                node_id=generated.node_id,
                org=generated.org,
                config=generated.config,
                log=generated.config.parent / "node.log",
                api_url=f"http://127.0.0.1:{generated.api_port}",
                peer_port=generated.peer_port,
            )
        self.http = httpx.Client(timeout=HTTP_TIMEOUT_S)
        self._reader = SignedReads(self.chain_id, self.member_key(self.orgs[0], "admin"))

    def _apply_settings(self, config: Path) -> None:
        document = tomllib.loads(config.read_text(encoding="utf-8"))
        for section, values in self.settings.items():
            document.setdefault(section, {}).update(values)
        config.write_text(tomli_w.dumps(document), encoding="utf-8")

    # -- material --------------------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        return sorted(self.nodes)

    def member_key(self, org: str, member: str) -> SigningKey:
        return load_key(ConsortiumLayout(self.directory).org(org).member_key(member), "")

    def node_files(self, node_id: int) -> tuple[Path, Path]:
        """(certificate, private key) of a node: its identity on the peer link."""
        paths = ConsortiumLayout(self.directory).org(self.nodes[node_id].org)
        return paths.node_cert, paths.node_key

    def org_ca(self, org: str) -> tuple[Path, SigningKey]:
        """(CA certificate, CA key) of an org: what issues its node and member certificates."""
        paths = ConsortiumLayout(self.directory).org(org)
        return paths.ca_cert, load_key(paths.ca_key, "")

    # -- processes -------------------------------------------------------------------------

    def start(self, node_id: int) -> None:
        node = self.nodes[node_id]
        if node.running:
            raise RuntimeError(f"node {node_id} is already running")
        with node.log.open("ab") as log:
            log.write(f"--- e2e harness starts node {node_id}\n".encode())
            log.flush()
            node.process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "node", "start", "--config", str(node.config)],
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
                start_new_session=True,
            )
        node.paused = False

    def start_all(self, node_ids: Iterable[int] | None = None) -> None:
        for node_id in self.ids if node_ids is None else node_ids:
            self.start(node_id)

    def kill(self, node_id: int) -> None:
        """SIGKILL: the node gets no chance to finish anything."""
        self._signal_and_reap(node_id, signal.SIGKILL)

    def stop(self, node_id: int) -> None:
        """SIGTERM, then SIGKILL if it has not exited in time."""
        node = self.nodes[node_id]
        if node.paused:
            self.resume(node_id)
        if node.process is not None and node.running:
            node.process.send_signal(signal.SIGTERM)
            try:
                node.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.kill(node_id)
        node.process = None

    def pause(self, node_id: int) -> None:
        """SIGSTOP: the process holds its sockets but answers nothing, like a partition."""
        node = self.nodes[node_id]
        if node.process is None or not node.running:
            raise RuntimeError(f"node {node_id} is not running")
        node.process.send_signal(signal.SIGSTOP)
        node.paused = True

    def resume(self, node_id: int) -> None:
        node = self.nodes[node_id]
        if node.process is not None:
            node.process.send_signal(signal.SIGCONT)
        node.paused = False

    def _signal_and_reap(self, node_id: int, signum: signal.Signals) -> None:
        node = self.nodes[node_id]
        if node.process is not None:
            with contextlib.suppress(ProcessLookupError):
                node.process.send_signal(signum)
            node.process.wait(STOP_TIMEOUT_S)
        node.process = None
        node.paused = False

    def exit_codes(self) -> dict[int, int]:
        """Nodes that exited on their own (a crash), with their exit status."""
        return {
            n.node_id: code
            for n in self.nodes.values()
            if n.process is not None and (code := n.process.poll()) is not None
        }

    def close(self) -> None:
        for node_id in self.ids:
            self.kill(node_id)
        self.http.close()

    # -- HTTP ------------------------------------------------------------------------------

    def url(self, node_id: int, path: str) -> str:
        return self.nodes[node_id].api_url + path

    def health(self, node_id: int) -> dict[str, Any] | None:
        """The node's /health document (200 or 503), or None when it does not answer (or is
        not running, or paused: a stopped process would only let the request time out)."""
        node = self.nodes[node_id]
        if node.paused or not node.running:
            return None
        try:
            response = self.http.get(self.url(node_id, "/health"), timeout=2.0)
        except httpx.HTTPError:
            return None
        if response.status_code not in (200, 503):
            return None
        document: dict[str, Any] = response.json()
        return document

    def submit(
        self,
        node_id: int,
        transactions: Sequence[SignedTransaction],
        *,
        wait: bool = True,
        timeout_s: float = 10.0,
    ) -> httpx.Response:
        """POST the transactions as a msgpack batch (docs/api.md, Submitting)."""
        body = msgpack.packb([tx.to_wire() for tx in transactions])
        return self.post_raw(
            node_id,
            "/v1/transactions",
            body,
            content_type="application/msgpack",
            params={"wait": str(wait).lower(), "timeout": str(timeout_s)},
            timeout_s=timeout_s + HTTP_TIMEOUT_S,
        )

    def post_raw(
        self,
        node_id: int,
        path: str,
        body: bytes,
        *,
        content_type: str,
        params: Mapping[str, str] | None = None,
        timeout_s: float = HTTP_TIMEOUT_S,
    ) -> httpx.Response:
        return self.http.post(
            self.url(node_id, path),
            content=body,
            headers={"content-type": content_type},
            params=params,
            timeout=timeout_s,
        )

    def get(self, node_id: int, path: str, **params: str) -> httpx.Response:
        """A signed GET as the first org's admin."""
        return self.http.get(self.url(node_id, path), params=params, auth=self._reader)

    def receipt(self, node_id: int, tx_id: str) -> dict[str, Any] | None:
        response = self.get(node_id, f"/v1/transactions/{tx_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def block(self, node_id: int, height: int) -> dict[str, Any] | None:
        response = self.get(node_id, f"/v1/blocks/{height}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def chain(self, node_id: int, height: int) -> ChainView:
        """Blocks 0..height as one node serves them."""
        hashes: dict[int, str] = {}
        tx_ids: dict[int, list[str]] = {}
        results: dict[int, list[str]] = {}
        for h in range(height + 1):
            block = self.block(node_id, h)
            assert block is not None, f"node {node_id} has no block {h} (height {height})"
            hashes[h] = block["block_hash"]
            tx_ids[h] = block["tx_ids"]
            results[h] = block["results"]
        return ChainView(node_id, hashes, tx_ids, results)

    def state_root(self, node_id: int, tx_id: str) -> str:
        """The state root this node signed after the block holding ``tx_id`` (its checkpoint,
        served with the inclusion proof)."""
        response = self.get(node_id, f"/v1/proofs/{tx_id}")
        response.raise_for_status()
        own = [c for c in response.json()["checkpoints"] if c["node_id"] == node_id]
        assert own, f"node {node_id} served no checkpoint of its own for {tx_id}"
        root: str = own[0]["state_root"]
        return root

    # -- waiting ---------------------------------------------------------------------------

    def wait_for(
        self, what: str, probe: Callable[[], T | None], timeout_s: float, *, poll_s: float = POLL_S
    ) -> T:
        """Poll ``probe`` until it answers something other than None (or False); fail at
        once if a node the harness started exits by itself (a crash)."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = probe()
            if value is not None and value is not False:
                return value
            crashed = self.exit_codes()
            if crashed:
                raise WaitTimeout(f"{what}: nodes exited {crashed}\n{self.diagnostics()}")
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"{what}: not within {timeout_s:g} s\n{self.diagnostics()}")
            time.sleep(poll_s)

    def wait_leader(self, node_ids: Iterable[int] | None = None, timeout_s: float = 60.0) -> int:
        """The leader that every given node names (and that is one of them), once they agree."""
        members = list(self.ids if node_ids is None else node_ids)

        def agreed() -> int | None:
            views = [self.health(n) for n in members]
            if any(v is None for v in views):
                return None
            leaders = {v["leader_id"] for v in views if v is not None}
            leader = leaders.pop() if len(leaders) == 1 else None
            return leader if leader in members else None

        return self.wait_for(f"nodes {members} agree on a leader", agreed, timeout_s)

    def wait_height(
        self, height: int, node_ids: Iterable[int] | None = None, timeout_s: float = 60.0
    ) -> None:
        members = list(self.ids if node_ids is None else node_ids)

        def reached() -> bool:
            views = [self.health(n) for n in members]
            return all(v is not None and v["height"] >= height for v in views)

        self.wait_for(f"nodes {members} reach height {height}", reached, timeout_s)

    def wait_converged(self, node_ids: Iterable[int] | None = None, timeout_s: float = 60.0) -> int:
        """Wait until the nodes report one height and one applied index; returns the height."""
        members = list(self.ids if node_ids is None else node_ids)

        def settled() -> int | None:
            views = [self.health(n) for n in members]
            if any(v is None or v["fork_alarm"] is not None for v in views):
                return None
            points = {(v["height"], v["applied_index"]) for v in views if v is not None}
            return points.pop()[0] if len(points) == 1 else None

        return self.wait_for(f"nodes {members} converge", settled, timeout_s)

    def assert_same_chain(self, node_ids: Iterable[int] | None = None) -> ChainView:
        """Every node serves the same block hash at every height; returns the first's view."""
        members = list(self.ids if node_ids is None else node_ids)
        height = self.wait_converged(members)
        views = [self.chain(n, height) for n in members]
        reference = views[0]
        for view in views[1:]:
            differing = [h for h in range(height + 1) if view.hashes[h] != reference.hashes[h]]
            assert not differing, (
                f"node {view.node_id} and node {reference.node_id} differ at heights "
                f"{differing[:10]}"
            )
        last_tx = next(
            (ids[-1] for h, ids in sorted(reference.tx_ids.items(), reverse=True) if ids), None
        )
        if last_tx is not None:
            roots = {n: self.state_root(n, last_tx) for n in members}
            assert len(set(roots.values())) == 1, f"state roots differ: {roots}"
        return reference

    # -- diagnostics -----------------------------------------------------------------------

    def diagnostics(self) -> str:
        lines: list[str] = []
        for node in self.nodes.values():
            state = "not started"
            if node.process is not None:
                code = node.process.poll()
                state = f"pid {node.process.pid} " + (
                    "paused" if node.paused else "running" if code is None else f"exited {code}"
                )
            lines.append(
                f"== node {node.node_id} ({node.org}) {state}: {self.health(node.node_id)}"
            )
            lines.extend("   " + line for line in tail(node.log, LOG_TAIL_LINES))
        return "\n".join(lines)


def tail(path: Path, count: int) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[-count:]
    except OSError as exc:
        return [f"(no log: {exc})"]
