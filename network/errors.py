"""Errors of consortium generation and local networks; each message says what to do next.

NetworkError                base class
├── ConsortiumExists        the target folder already holds material; --force or another --dir
├── BadOrgSpec              an organization or member spec is not usable (id, roles, names)
├── PortBusy                a node could not listen on a port it needs (taken, not allowed)
├── MaterialMissing         the folder lacks the genesis or a node config, or they are damaged
├── NodesRunning            the operation needs the nodes stopped first
└── NetworkNotReady         nodes exited or did not agree on a leader before the deadline
"""

from __future__ import annotations


class NetworkError(Exception):
    """Base class of every error raised by :mod:`network` (outside ``network.docker``)."""


class ConsortiumExists(NetworkError):
    pass


class BadOrgSpec(NetworkError, ValueError):
    pass


class PortBusy(NetworkError):
    def __init__(self, host: str, port: int, purpose: str, problem: str = "already in use") -> None:
        super().__init__(
            f"port {port} on {host} ({purpose}) cannot be used: {problem}; stop whatever "
            "holds it (`rxl network down --dir DIR` if it is an rxledger node; "
            f"`ss -ltnp 'sport = :{port}'` shows the process) or choose other ports with "
            "--base-port"
        )
        self.host = host
        self.port = port
        self.purpose = purpose


class MaterialMissing(NetworkError):
    pass


class NodesRunning(NetworkError):
    pass


class NetworkNotReady(NetworkError):
    """``str()`` is one line with what to do next; ``details`` holds node states or a log tail."""

    def __init__(self, summary: str, details: str = "") -> None:
        super().__init__(summary)
        self.details = details
