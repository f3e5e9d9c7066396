"""Governance from the outside, for end-to-end tests: an organization that joins a running
cluster with its own CA and node, and consortium changes adopted by org admins.

:func:`prepare_joining_org` writes what an operator of the new organization would hold —
its CA (certificate and key), its first admin's certificate and key (``members/admin.*``,
so ``Cluster.member_key(org, "admin")`` works once governance has added the org), its node's
certificate and key and a ``node.toml`` naming the consortium's genesis file — into the
cluster's folder, and registers the node with the
:class:`~tests.e2e.harness.Cluster`, so ``start``, ``stop``, ``health`` and the waits work
for it like for the founding nodes. The node is not in the genesis file: it only joins once
governance adds it (docs/governance.md, ``add_node``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import tomli_w

from network.layout import ConsortiumLayout
from network.ports import port_problem
from node.node_key import load_node_key
from sdk import pki
from sdk.keyfile import CHEAP_KDF, save_key
from sdk.keys import SigningKey
from sdk.roles import Role
from sdk.tx import SignedTransaction, build
from tests.e2e.harness import Cluster, Node
from tests.e2e.peer_client import write_identity

HOST: Final = "127.0.0.1"
CA_VALIDITY: Final = timedelta(days=365)
ADMIN_VALIDITY: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class JoiningOrg:
    """A new organization with one node, ready to be proposed to the consortium."""

    org_id: str
    name: str
    roles: tuple[str, ...]
    ca_cert_pem: str
    node: Node
    node_cert_pem: str
    node_key: SigningKey
    """The node's key: on chain once ``add_node`` applies (a node key is a member record)."""
    admin_cert_pem: str
    """The org's first admin, enrolled by ``add_org`` itself (docs/governance.md)."""
    admin_key: SigningKey

    @property
    def node_id(self) -> int:
        return self.node.node_id

    def add_org(self) -> dict[str, Any]:
        return {
            "kind": "add_org",
            "org_id": self.org_id,
            "name": self.name,
            "ca_cert_pem": self.ca_cert_pem,
            "roles": list(self.roles),
            "admins": [self.admin_cert_pem],
        }

    def add_node(self) -> dict[str, Any]:
        api_port = int(self.node.api_url.rsplit(":", 1)[1])
        return {
            "kind": "add_node",
            "node_id": self.node_id,
            "org_id": self.org_id,
            "cert_pem": self.node_cert_pem,
            "host": HOST,
            "peer_port": self.node.peer_port,
            "api_port": api_port,
        }


def prepare_joining_org(
    cluster: Cluster, org_id: str, roles: tuple[str, ...], node_id: int
) -> JoiningOrg:
    """Write the new org's CA, node identity and node config; register the node (not
    started) with ``cluster``."""
    if node_id in cluster.nodes:
        raise ValueError(f"node {node_id} is already part of the cluster")
    paths = ConsortiumLayout(cluster.directory).org(org_id)
    paths.root.mkdir()
    now = datetime.now(UTC)
    ca_key = SigningKey.generate()
    ca_cert = pki.create_org_ca(
        org_id, ca_key, not_before=now - timedelta(hours=1), not_after=now + CA_VALIDITY
    )
    pki.save_certificate(paths.ca_cert, ca_cert)
    save_key(paths.ca_key, ca_key, "", kdf=CHEAP_KDF)
    cert_path, key_path = write_identity(
        paths.root, paths.node_cert.stem, issuer=(paths.ca_cert, ca_key)
    )
    admin_key = SigningKey.generate()
    admin_cert = pki.issue_member_certificate(
        ca_cert,
        ca_key,
        admin_key.public_key,
        name="admin",
        roles=[Role.ADMIN],
        not_before=now - timedelta(hours=1),
        not_after=now + ADMIN_VALIDITY,
    )
    paths.members.mkdir()
    pki.save_certificate(paths.member_cert("admin"), admin_cert)
    save_key(paths.member_key("admin"), admin_key, "", kdf=CHEAP_KDF)
    api_port, peer_port = _two_free_ports(cluster)
    _write_node_config(cluster, paths.node_config, node_id, api_port, peer_port)
    node = Node(
        node_id=node_id,
        org=org_id,
        config=paths.node_config,
        log=paths.log,
        api_url=f"http://{HOST}:{api_port}",
        peer_port=peer_port,
    )
    cluster.nodes[node_id] = node
    return JoiningOrg(
        org_id=org_id,
        name=org_id.replace("-", " ").title(),
        roles=roles,
        ca_cert_pem=pki.certificate_to_pem(ca_cert).decode("ascii"),
        node=node,
        node_cert_pem=cert_path.read_text(encoding="ascii"),
        node_key=load_node_key(key_path),
        admin_cert_pem=pki.certificate_to_pem(admin_cert).decode("ascii"),
        admin_key=admin_key,
    )


def _two_free_ports(cluster: Cluster) -> tuple[int, int]:
    """Two free ports just above the cluster's own (its API ports, then its peer ports)."""
    port = max(n.peer_port for n in cluster.nodes.values()) + 1
    found: list[int] = []
    while len(found) < 2:
        if port > 65_535:
            raise RuntimeError("no free ports above the cluster's on 127.0.0.1")
        if port_problem(HOST, port) is None:
            found.append(port)
        port += 1
    return found[0], found[1]


def _write_node_config(
    cluster: Cluster, path: Path, node_id: int, api_port: int, peer_port: int
) -> None:
    """A node.toml like the founding nodes' (same genesis file, same extra settings)."""
    template = tomllib.loads(next(iter(cluster.nodes.values())).config.read_text("utf-8"))
    document: dict[str, Any] = {
        **template,
        "node_id": node_id,
        "data_dir": "data",
        "api": {"host": HOST, "port": api_port},
        "peer": {"host": HOST, "port": peer_port},
        "tls": {"cert": "node.crt", "key": "node.key"},
    }
    path.write_text(tomli_w.dumps(document), encoding="utf-8")


class Governance:
    """Consortium changes proposed and approved by org admins (policy ``MAJORITY admins``).

    Each step is one transaction submitted to ``via`` and waited for; a change counts as
    adopted only when the last approval's receipt says the proposal ``applied``.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def signed(self, org: str, function: str, args: dict[str, Any]) -> SignedTransaction:
        key = self.cluster.member_key(org, "admin")
        return build(self.cluster.chain_id, "config", function, args, key.key_id).sign(key)

    def commit(self, via: int, tx: SignedTransaction) -> dict[str, Any]:
        """Submit one transaction and wait for it; its committed receipt (code ``ok``)."""
        response = self.cluster.submit(via, [tx], timeout_s=20.0)
        assert response.status_code == 200, response.text
        item = response.json()["results"][0]
        assert item["accepted"], item
        receipt: dict[str, Any] = item["receipt"]
        assert receipt["state"] == "committed", receipt
        assert receipt["code"] == "ok", receipt
        return receipt

    def propose(self, via: int, change: dict[str, Any], orgs: list[str]) -> int:
        """``orgs[0]`` proposes, the others approve, and the proposal is still pending
        (the caller adds the deciding approval). Returns the proposal id."""
        proposed = self.commit(via, self.signed(orgs[0], "propose", {"change": change}))
        proposal_id = int(proposed["result"]["proposal_id"])
        receipt = proposed
        for org in orgs[1:]:
            receipt = self.commit(via, self.approval(org, proposal_id))
        assert receipt["result"]["status"] == "pending", receipt
        return proposal_id

    def approval(self, org: str, proposal_id: int) -> SignedTransaction:
        return self.signed(org, "approve", {"proposal_id": proposal_id})

    def adopt(self, via: int, change: dict[str, Any], orgs: list[str]) -> int:
        """``orgs[0]`` proposes, the others approve; the change must apply on the last
        approval. Returns the height of the block that applied it."""
        proposal_id = self.propose(via, change, orgs[:-1])
        receipt = self.commit(via, self.approval(orgs[-1], proposal_id))
        assert receipt["result"]["status"] == "applied", (change["kind"], receipt)
        return int(receipt["height"])
