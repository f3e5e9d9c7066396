"""Where a generated consortium keeps its files (one folder per organization).

DIR/genesis.json            the consortium every node agrees on
DIR/<org>/ca.pem            the org CA certificate (public)
DIR/<org>/ca.key            the org CA private key, an encrypted key file (0600)
DIR/<org>/node.toml         the org's node config; its paths are relative to this file
DIR/<org>/node.crt          the node certificate (PEM), for mutual TLS and block signing
DIR/<org>/node.key          the node key, unencrypted PKCS#8 PEM (0600): a node starts
                            unattended, so this file is protected by permissions only
DIR/<org>/members/<m>.key   a member's encrypted key file (0600)
DIR/<org>/members/<m>.crt   its certificate, enrolled in the genesis
DIR/<org>/data/             the node's LMDB ledger (created by the node)
DIR/<org>/node.log          the node's log, appended to by `rxl network up`
DIR/<org>/node.pid          the running node's process id (`rxl network up` / `down`)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

GENESIS_FILE: Final = "genesis.json"
KEEP_ON_INIT: Final = frozenset({".gitignore"})
"""Entries an otherwise empty target folder may hold (a docker set-up writes its ignore file
first)."""


@dataclass(frozen=True, slots=True)
class OrgPaths:
    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca.key"

    @property
    def node_config(self) -> Path:
        return self.root / "node.toml"

    @property
    def node_cert(self) -> Path:
        return self.root / "node.crt"

    @property
    def node_key(self) -> Path:
        return self.root / "node.key"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "node.log"

    @property
    def pid(self) -> Path:
        return self.root / "node.pid"

    @property
    def members(self) -> Path:
        return self.root / "members"

    def member_key(self, name: str) -> Path:
        return self.members / f"{name}.key"

    def member_cert(self, name: str) -> Path:
        return self.members / f"{name}.crt"

    def looks_generated(self) -> bool:
        """True when this folder holds what `rxl network init` writes (safe to replace)."""
        return self.ca_cert.is_file() or self.node_config.is_file()


@dataclass(frozen=True, slots=True)
class ConsortiumLayout:
    directory: Path

    @property
    def genesis(self) -> Path:
        return self.directory / GENESIS_FILE

    def org(self, org_id: str) -> OrgPaths:
        return OrgPaths(self.directory / org_id)
