from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from network.errors import PortBusy
from network.ports import NodePorts, allocate, port_problem, require_free


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_allocate_counts_up_from_each_base() -> None:
    assert allocate(3, base_api_port=7100, base_peer_port=7200) == [
        NodePorts(7100, 7200),
        NodePorts(7101, 7201),
        NodePorts(7102, 7202),
    ]


def test_allocate_refuses_overlapping_ranges() -> None:
    with pytest.raises(ValueError, match="overlap"):
        allocate(5, base_api_port=7100, base_peer_port=7103)


def test_allocate_refuses_ports_beyond_65535() -> None:
    with pytest.raises(ValueError, match=r"leave 1\.\.65535"):
        allocate(4, base_api_port=65534, base_peer_port=7000)


def test_a_listening_port_is_busy(listening_port: int) -> None:
    assert port_problem("127.0.0.1", listening_port) == "already in use"
    with pytest.raises(PortBusy, match=f"port {listening_port} on 127.0.0.1 \\(API of x\\)"):
        require_free("127.0.0.1", [(listening_port, "API of x")])


def test_a_closed_port_is_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_problem("127.0.0.1", port) is None
    require_free("127.0.0.1", [(port, "API")])
