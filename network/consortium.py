"""Generate a consortium: org CAs, node and member certificates, keys, genesis, node configs.

``generate_consortium`` writes the folder described in :mod:`network.layout`: one
``genesis.json`` (every org with its CA and grantable roles, every node a voter, every
member enrolled, the contracts pinned by version and code hash, governance policy
``MAJORITY admins``) and one folder per org with its CA, its node's config, certificate and
key, and its members' key files and certificates.

Private keys at rest:

- the org CA key and member keys are rxledger key files (sdk.keyfile): Argon2id (libsodium
  MODERATE, ~1 s and 256 MiB per key) and XChaCha20-Poly1305 under the passphrase given;
- with ``insecure_dev_keys=True`` they are encrypted under the *empty* passphrase with the
  cheapest KDF libsodium accepts, so demos and tests can sign without prompting. Anyone who
  can read such a file has the key: use it only for throw-away networks on your machine;
- the node key is unencrypted PKCS#8 PEM, readable by its owner only (0600), because a node
  must start unattended (node/node_key.py, the transport's TLS context).

The genesis is written in the schema of ``node.genesis.Genesis`` and each node config in
the schema of ``node.config.NodeConfig``; ``network`` may import only ``sdk``, so the
contract pins come from the caller (``cli.network.builtin_pins()`` computes them from the
installed built-in contracts).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import tomli_w
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from network.errors import BadOrgSpec, ConsortiumExists, NodesRunning
from network.layout import KEEP_ON_INIT, ConsortiumLayout, OrgPaths
from network.orgs import MemberSpec, OrgSpec, default_orgs, parse_orgs
from network.ports import WILDCARD_HOSTS, NodePorts, allocate, require_free
from network.processes import running_node
from sdk import pki
from sdk.ids import to_hex
from sdk.keyfile import CHEAP_KDF, DEFAULT_KDF, KdfParams, save_key
from sdk.keys import SigningKey
from sdk.roles import Role

__all__ = [
    "Consortium",
    "GeneratedMember",
    "GeneratedNode",
    "MemberSpec",
    "OrgSpec",
    "PinnedContract",
    "default_orgs",
    "generate_consortium",
    "parse_orgs",
]

DEFAULT_CHAIN_ID: Final = "rxledger-dev"
CHAIN_ID: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
GOVERNANCE_POLICY: Final = "MAJORITY admins"
CA_VALIDITY: Final = timedelta(days=3650)
LEAF_VALIDITY: Final = timedelta(days=730)
BACKDATE: Final = timedelta(hours=1)
"""Certificates start an hour before genesis, so a client whose clock runs a little behind
still finds them valid."""
MIN_PASSPHRASE: Final = 8


@dataclass(frozen=True, slots=True)
class PinnedContract:
    """A contract the genesis pins: name, version and code hash (chaincode.registry)."""

    name: str
    version: str
    code_hash: str


@dataclass(frozen=True, slots=True)
class GeneratedNode:
    node_id: int
    org: str
    host: str
    """The name other nodes reach it by (genesis ``host``, certificate SAN)."""
    listen_host: str
    api_port: int
    peer_port: int
    config: Path


@dataclass(frozen=True, slots=True)
class GeneratedMember:
    org: str
    name: str
    roles: frozenset[Role]
    key_id: str
    key_file: Path
    cert_file: Path


@dataclass(frozen=True, slots=True)
class Consortium:
    directory: Path
    chain_id: str
    genesis: Path
    nodes: tuple[GeneratedNode, ...]
    members: tuple[GeneratedMember, ...]
    insecure_dev_keys: bool


@dataclass(frozen=True, slots=True)
class _KeyProtection:
    passphrase: str
    kdf: KdfParams


def generate_consortium(
    directory: Path,
    orgs: Sequence[OrgSpec],
    *,
    chain_id: str | None = None,
    host_for: Callable[[str], str] | None = None,
    listen_host: str = "127.0.0.1",
    base_api_port: int = 7100,
    base_peer_port: int = 7200,
    passphrase: str | None = None,
    insecure_dev_keys: bool = False,
    contracts: Sequence[PinnedContract] = (),
    force: bool = False,
    check_ports: bool = True,
    now: datetime | None = None,
) -> Consortium:
    """Write a new consortium into ``directory``: one node per org, node ids 1..N in order.

    ``host_for(org)`` is the host name the other nodes use for that org's node (default
    ``listen_host``, or 127.0.0.1 when that is a wildcard); docker passes container names.
    ``check_ports`` refuses ports a process on this machine already listens on. An existing
    non-empty folder is refused unless ``force``, which replaces the consortium there (its
    keys and ledger data are deleted; running nodes must be stopped first).
    """
    chain = _check_chain_id(chain_id or DEFAULT_CHAIN_ID)
    _check_orgs(orgs)
    protection = _protection(passphrase, insecure_dev_keys)
    ports = allocate(len(orgs), base_api_port=base_api_port, base_peer_port=base_peer_port)
    layout = ConsortiumLayout(directory)
    _prepare(layout, orgs, force=force)
    if check_ports:
        _require_ports(listen_host, orgs, ports)
    reach = host_for or _default_host(listen_host)
    issued = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    created_ms = int(issued.timestamp()) * 1000
    validity = _Validity(issued - BACKDATE, issued)
    genesis: dict[str, Any] = {
        "chain_id": chain,
        "created_ms": created_ms,
        "orgs": [],
        "nodes": [],
        "members": [],
        "contracts": [
            {"name": c.name, "version": c.version, "code_hash": c.code_hash} for c in contracts
        ],
        "governance_policy": GOVERNANCE_POLICY,
    }
    nodes: list[GeneratedNode] = []
    members: list[GeneratedMember] = []
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("# private keys: never commit\n*\n", encoding="utf-8")
    for node_id, (spec, node_ports) in enumerate(zip(orgs, ports, strict=True), start=1):
        org = _OrgWriter(layout.org(spec.name), spec, validity, protection)
        genesis["orgs"].append(org.write_ca())
        node = org.write_node(node_id, reach(spec.name), listen_host, node_ports)
        genesis["nodes"].append(node.genesis_row)
        nodes.append(node.generated)
        for member in org.write_members():
            genesis["members"].append({"cert_pem": member.cert_file.read_text(encoding="ascii")})
            members.append(member)
    layout.genesis.write_text(json.dumps(genesis, indent=2, sort_keys=True) + "\n", "utf-8")
    return Consortium(
        directory=directory,
        chain_id=chain,
        genesis=layout.genesis,
        nodes=tuple(nodes),
        members=tuple(members),
        insecure_dev_keys=insecure_dev_keys,
    )


# --- checks -------------------------------------------------------------------------------


def _check_chain_id(chain_id: str) -> str:
    if not CHAIN_ID.fullmatch(chain_id):
        raise ValueError(
            f"chain id {chain_id!r} must be 2-64 characters of a-z, 0-9, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return chain_id


def _check_orgs(orgs: Sequence[OrgSpec]) -> None:
    if not orgs:
        raise BadOrgSpec("a consortium needs at least one organization")
    names = [o.name for o in orgs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BadOrgSpec(f"organization ids must be unique ({', '.join(duplicates)})")


def _protection(passphrase: str | None, insecure_dev_keys: bool) -> _KeyProtection:
    if insecure_dev_keys:
        if passphrase is not None:
            raise ValueError("give a passphrase or ask for insecure dev keys, not both")
        return _KeyProtection("", CHEAP_KDF)
    if passphrase is None or len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(
            f"private key files need a passphrase of at least {MIN_PASSPHRASE} characters; "
            "for a throw-away network on this machine pass insecure_dev_keys=True "
            "(--insecure-dev-keys) instead"
        )
    return _KeyProtection(passphrase, DEFAULT_KDF)


def _prepare(layout: ConsortiumLayout, orgs: Sequence[OrgSpec], *, force: bool) -> None:
    directory = layout.directory
    if directory.exists() and not directory.is_dir():
        raise ConsortiumExists(f"{directory} is a file; choose a folder with --dir")
    present = sorted(
        p.name
        for p in (directory.iterdir() if directory.exists() else ())
        if p.name not in KEEP_ON_INIT
    )
    if not present:
        return
    if not force:
        raise ConsortiumExists(
            f"{directory} is not empty (holds {', '.join(present[:5])}); pass --force to replace "
            "the consortium there (its keys and ledger data are deleted) or choose another --dir"
        )
    _remove_consortium(layout, {o.name for o in orgs})


def _remove_consortium(layout: ConsortiumLayout, new_orgs: set[str]) -> None:
    """Delete what an earlier init wrote; refuse to touch folders it did not write."""
    generated: list[OrgPaths] = []
    for entry in sorted(layout.directory.iterdir()):
        paths = OrgPaths(entry)
        if entry.is_dir() and paths.looks_generated():
            generated.append(paths)
        elif entry.name in new_orgs:
            raise ConsortiumExists(
                f"{entry} exists and was not written by `rxl network init`; move it away or "
                "choose another --dir"
            )
    running = [p.root.name for p in generated if running_node(p.pid) is not None]
    if running:
        raise NodesRunning(
            f"nodes of {', '.join(running)} are running from {layout.directory}; stop them "
            f"with `rxl network down --dir {layout.directory}` before replacing the consortium"
        )
    for paths in generated:
        shutil.rmtree(paths.root)
    layout.genesis.unlink(missing_ok=True)


def _require_ports(host: str, orgs: Sequence[OrgSpec], ports: Sequence[NodePorts]) -> None:
    for spec, node_ports in zip(orgs, ports, strict=True):
        require_free(
            host,
            [
                (node_ports.api, f"API of the {spec.name} node"),
                (node_ports.peer, f"peer port of the {spec.name} node"),
            ],
        )


def _default_host(listen_host: str) -> Callable[[str], str]:
    host = "127.0.0.1" if listen_host in WILDCARD_HOSTS else listen_host
    return lambda _org: host


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Validity:
    not_before: datetime
    genesis: datetime

    def until(self, period: timedelta) -> datetime:
        return self.genesis + period


@dataclass(frozen=True, slots=True)
class _WrittenNode:
    genesis_row: dict[str, Any]
    generated: GeneratedNode


class _OrgWriter:
    """Writes one org's folder; the CA is created first and signs everything after it."""

    def __init__(
        self, paths: OrgPaths, spec: OrgSpec, validity: _Validity, protection: _KeyProtection
    ) -> None:
        self.paths = paths
        self.spec = spec
        self.validity = validity
        self.protection = protection
        self.ca_key = SigningKey.generate()
        self.ca_cert = pki.create_org_ca(
            spec.name,
            self.ca_key,
            not_before=validity.not_before,
            not_after=validity.until(CA_VALIDITY),
        )

    def write_ca(self) -> dict[str, Any]:
        self.paths.members.mkdir(parents=True)
        pki.save_certificate(self.paths.ca_cert, self.ca_cert)
        self._save_key(self.paths.ca_key, self.ca_key)
        return {
            "id": self.spec.name,
            "name": self.spec.label,
            "ca_cert_pem": _pem(self.ca_cert),
            "roles": sorted(r.value for r in self.spec.roles),
        }

    def write_node(
        self, node_id: int, host: str, listen_host: str, ports: NodePorts
    ) -> _WrittenNode:
        key = SigningKey.generate()
        sans = (
            [host] if listen_host in WILDCARD_HOSTS or listen_host == host else [host, listen_host]
        )
        cert = pki.issue_node_certificate(
            self.ca_cert,
            self.ca_key,
            key.public_key,
            name=f"node{node_id}.{self.spec.name}",
            hosts=sans,
            not_before=self.validity.not_before,
            not_after=self.validity.until(LEAF_VALIDITY),
        )
        pki.save_certificate(self.paths.node_cert, cert)
        _write_private(self.paths.node_key, _pkcs8_pem(key))
        self.paths.node_config.write_text(
            _node_toml(node_id, listen_host, ports, self.paths), encoding="utf-8"
        )
        row = {
            "id": node_id,
            "org": self.spec.name,
            "cert_pem": _pem(cert),
            "host": host,
            "peer_port": ports.peer,
            "api_port": ports.api,
            "voter": True,
        }
        generated = GeneratedNode(
            node_id,
            self.spec.name,
            host,
            listen_host,
            ports.api,
            ports.peer,
            self.paths.node_config,
        )
        return _WrittenNode(row, generated)

    def write_members(self) -> list[GeneratedMember]:
        written: list[GeneratedMember] = []
        for member in self.spec.members:
            key = SigningKey.generate()
            cert = pki.issue_member_certificate(
                self.ca_cert,
                self.ca_key,
                key.public_key,
                name=f"{member.name}.{self.spec.name}",
                roles=member.roles,
                not_before=self.validity.not_before,
                not_after=self.validity.until(LEAF_VALIDITY),
            )
            key_file, cert_file = (
                self.paths.member_key(member.name),
                self.paths.member_cert(member.name),
            )
            self._save_key(key_file, key)
            pki.save_certificate(cert_file, cert)
            written.append(
                GeneratedMember(
                    self.spec.name,
                    member.name,
                    member.roles,
                    to_hex(key.key_id),
                    key_file,
                    cert_file,
                )
            )
        return written

    def _save_key(self, path: Path, key: SigningKey) -> None:
        save_key(path, key, self.protection.passphrase, kdf=self.protection.kdf)


def _node_toml(node_id: int, listen_host: str, ports: NodePorts, paths: OrgPaths) -> str:
    config = {
        "node_id": node_id,
        "data_dir": paths.data_dir.name,
        "genesis": f"../{ConsortiumLayout(paths.root.parent).genesis.name}",
        "log_level": "info",
        "api": {"host": listen_host, "port": ports.api},
        "peer": {"host": listen_host, "port": ports.peer},
        "tls": {"cert": paths.node_cert.name, "key": paths.node_key.name},
    }
    header = "# Generated by `rxl network init`; relative paths are relative to this file.\n"
    return header + tomli_w.dumps(config)


def _pem(cert: x509.Certificate) -> str:
    return pki.certificate_to_pem(cert).decode("ascii")


def _pkcs8_pem(key: SigningKey) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(key.seed).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
