"""Helpers for local-network tests: free port ranges and a stand-in node program."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from network.ports import port_problem

FAKE_NODE = Path(__file__).with_name("fake_node.py")


def free_base_ports(count: int, peer_offset: int | None = None) -> tuple[int, int]:
    """(base API port, base peer port) with ``count`` free ports from each, on 127.0.0.1;
    the peer base is ``peer_offset`` above the API base (default: right after the API ports).

    The search starts at a pid-dependent offset so parallel test runs rarely collide."""
    offset = count if peer_offset is None else peer_offset
    start = 20_000 + (os.getpid() % 500) * 40
    for base in range(start, 60_000, 2 * count + 7):
        ports = [*range(base, base + count), *range(base + offset, base + offset + count)]
        if all(port_problem("127.0.0.1", p) is None for p in ports):
            return base, base + offset
    raise RuntimeError("no free port range on 127.0.0.1")


def fake_node_command(config: Path) -> list[str]:
    return [sys.executable, str(FAKE_NODE), "--config", str(config)]
