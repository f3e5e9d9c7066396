"""Port allocation for a consortium on one machine, and a check that the ports are free.

The check binds each port the way the node will (``SO_REUSEADDR``, as uvicorn and asyncio
servers do), so a socket lingering in TIME_WAIT after a stopped node does not count as busy,
while a listening process does.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from network.errors import PortBusy

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


@dataclass(frozen=True, slots=True)
class NodePorts:
    api: int
    peer: int


def allocate(count: int, *, base_api_port: int, base_peer_port: int) -> list[NodePorts]:
    """Consecutive ports from each base; refuses ranges that overlap or leave 1..65535."""
    api = range(base_api_port, base_api_port + count)
    peer = range(base_peer_port, base_peer_port + count)
    for name, ports in (("API", api), ("peer", peer)):
        if ports.start < 1 or ports.stop - 1 > 65535:
            raise ValueError(
                f"{name} ports {ports.start}..{ports.stop - 1} leave 1..65535; choose a lower "
                "base port"
            )
    if set(api) & set(peer):
        raise ValueError(
            f"API ports {api.start}..{api.stop - 1} overlap peer ports "
            f"{peer.start}..{peer.stop - 1}; space the base ports at least {count} apart"
        )
    return [NodePorts(a, p) for a, p in zip(api, peer, strict=True)]


def port_problem(host: str, port: int) -> str | None:
    """Why a node could not listen on ``host:port``, or None when it could."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "already in use"
            return exc.strerror or str(exc)
    return None


def require_free(host: str, ports: Iterable[tuple[int, str]]) -> None:
    """Raise :class:`PortBusy` for the first ``(port, purpose)`` a node could not listen on."""
    for port, purpose in ports:
        problem = port_problem(host, port)
        if problem is not None:
            raise PortBusy(host, port, purpose, problem)
