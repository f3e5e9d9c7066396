"""The compose file of a docker test network, generated from the consortium's genesis.

One service per node, ``node-{org}``. Each node:

- runs the node image with the files it needs from its org's folder (``node.toml``, node
  certificate and key) mounted read-only in ``/etc/rxledger/node`` and
  the shared ``genesis.json`` at ``/etc/rxledger/genesis.json``, so the config's relative
  paths (``../genesis.json``) resolve as on the host; the org CA key and the members' keys
  never enter the container;
- keeps its LMDB data in a named volume ``node-{org}-data`` at ``/var/lib/rxledger``;
- talks to its peers over ``ledger``, an internal network (no route out), under the host
  name ``node-{org}`` that the genesis names;
- publishes its API port on 127.0.0.1 only, through its own ``edge-{org}`` network: the API
  stays reachable from the host even when the node is cut off from ``ledger``, which is how
  the partition test watches a minority;
- is healthy when its ``/health`` answers 200 (a leader is known, no fork alarm).

``network/compose.yaml`` is this document for the default 4-organization consortium, with
the folder of generated material taken from ``RXL_NETWORK_DIR``; a test keeps it in sync.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network.docker import yamlout
from network.docker.errors import MaterialMissing

DEFAULT_IMAGE = "rxledger/node:dev"
IMAGE = "${RXL_IMAGE:-" + DEFAULT_IMAGE + "}"
"""Compose substitutes the image, so a release tag can be run without regenerating."""
SHARED_MATERIAL = "${RXL_NETWORK_DIR:-./docker-net}"
"""Where ``network/compose.yaml`` finds the generated material (relative to network/)."""
LOCAL_MATERIAL = "."
"""A compose file written into the network folder itself finds its material beside it."""

CONFIG_DIR = "/etc/rxledger/node"
NODE_FILES = ("node.toml", "node.crt", "node.key")
"""What a node reads from its org's folder (network/layout.py); the org CA key and the
members' keys stay on the host."""
GENESIS_PATH = "/etc/rxledger/genesis.json"
DATA_DIR = "/var/lib/rxledger"
LEDGER_NETWORK = "ledger"
ORG_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")


@dataclass(frozen=True, slots=True)
class NodeSlot:
    """What compose needs to know about one node of the genesis."""

    node_id: int
    org: str
    api_port: int
    peer_port: int

    @property
    def service(self) -> str:
        return f"node-{self.org}"

    @property
    def volume(self) -> str:
        return f"node-{self.org}-data"

    @property
    def edge_network(self) -> str:
        return f"edge-{self.org}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


def slots_from_genesis(genesis: Path) -> list[NodeSlot]:
    """The nodes a genesis file names, in node id order, with their hosts checked."""
    try:
        raw = json.loads(genesis.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MaterialMissing(
            f"no genesis at {genesis}; run `python -m network.docker init` first"
        ) from exc
    except (OSError, ValueError) as exc:
        raise MaterialMissing(f"{genesis} is not a readable genesis file: {exc}") from exc
    slots = sorted((_slot(node) for node in _nodes(raw, genesis)), key=lambda s: s.node_id)
    orgs = [slot.org for slot in slots]
    if len(set(orgs)) != len(orgs):
        raise MaterialMissing(f"{genesis}: the docker network runs one node per organization")
    return slots


def _nodes(raw: Any, genesis: Path) -> list[dict[str, Any]]:
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    if not isinstance(nodes, list) or not nodes:
        raise MaterialMissing(f"{genesis} names no nodes")
    return nodes


def _slot(node: dict[str, Any]) -> NodeSlot:
    org = str(node.get("org", ""))
    if not ORG_ID.fullmatch(org):
        raise MaterialMissing(f"genesis node {node.get('id')}: bad organization id {org!r}")
    slot = NodeSlot(
        node_id=int(node["id"]),
        org=org,
        api_port=int(node["api_port"]),
        peer_port=int(node["peer_port"]),
    )
    if node.get("host") != slot.service:
        raise MaterialMissing(
            f"genesis node {slot.node_id} is reached at {node.get('host')!r}, but its docker "
            f"host name is {slot.service!r}; generate the consortium with "
            "`python -m network.docker init`"
        )
    return slot


def compose_document(
    slots: Sequence[NodeSlot], *, material: str = LOCAL_MATERIAL, image: str = IMAGE
) -> dict[str, Any]:
    """The compose document (Compose Specification, read by compose v2 and 1.29)."""
    return {
        "services": {slot.service: _service(slot, material, image) for slot in slots},
        "volumes": {slot.volume: {} for slot in slots},
        "networks": {
            LEDGER_NETWORK: {"internal": True},
            **{slot.edge_network: {} for slot in slots},
        },
    }


def _service(slot: NodeSlot, material: str, image: str) -> dict[str, Any]:
    return {
        "image": image,
        "hostname": slot.service,
        "command": ["node", "start", "--config", f"{CONFIG_DIR}/node.toml"],
        "environment": {"RXL_HEALTH_URL": f"http://127.0.0.1:{slot.api_port}/health"},
        "ports": [f"127.0.0.1:{slot.api_port}:{slot.api_port}"],
        "volumes": [
            f"{slot.volume}:{DATA_DIR}",
            *(f"{material}/{slot.org}/{name}:{CONFIG_DIR}/{name}:ro" for name in NODE_FILES),
            f"{material}/genesis.json:{GENESIS_PATH}:ro",
        ],
        "networks": [LEDGER_NETWORK, slot.edge_network],
        "healthcheck": {"interval": "3s", "timeout": "2s", "retries": 3, "start_period": "20s"},
        "restart": "unless-stopped",
        "stop_grace_period": "10s",
    }


def render(slots: Sequence[NodeSlot], *, material: str = LOCAL_MATERIAL) -> str:
    header = (
        "# Generated by `python -m network.docker` from the consortium's genesis.json; do not\n"
        "# edit by hand (docs/operations.md).\n"
    )
    if material == SHARED_MATERIAL:
        header += (
            "# The 4-organization consortium of `python -m network.docker init`, read from\n"
            "# $RXL_NETWORK_DIR (default network/docker-net); regenerate with\n"
            "# `python -m network.docker compose-file`.\n"
        )
    return header + yamlout.dump(compose_document(slots, material=material))


def write(directory: Path, slots: Sequence[NodeSlot]) -> Path:
    """Write ``compose.yaml`` into the network folder, with paths relative to it."""
    path = directory / "compose.yaml"
    path.write_text(render(slots), encoding="utf-8")
    return path
