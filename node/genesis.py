"""The genesis file: the consortium every node of a chain agrees on before block 1.

It names the chain, the organizations with their CA certificates and the roles each org may
grant, the nodes (id, org, certificate, addresses, voter or learner), the members enrolled at
genesis (each org's first admins), the contracts pinned by version and code hash, and the
consortium policies. Its hash is the chain's root of trust: block 0's ``prev_hash`` chain
starts from it, and peers with a different genesis hash refuse to talk.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from node.config import ConfigError, describe
from sdk.roles import Role

OrgId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,31}$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GenesisOrg(_Model):
    id: OrgId
    name: str = Field(min_length=1, max_length=200)
    ca_cert_pem: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    """Roles this org's CA may grant: a distributor's CA cannot mint a QP or a regulator."""


class GenesisNode(_Model):
    id: int = Field(ge=1)
    org: OrgId
    cert_pem: str = Field(min_length=1)
    host: str
    peer_port: int = Field(ge=1, le=65535)
    api_port: int = Field(ge=1, le=65535)
    voter: bool = True


class GenesisMember(_Model):
    cert_pem: str = Field(min_length=1)


class ContractPinModel(_Model):
    name: str
    version: str
    code_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class Genesis(_Model):
    chain_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    created_ms: int = Field(ge=0)
    orgs: list[GenesisOrg] = Field(min_length=1)
    nodes: list[GenesisNode] = Field(min_length=1)
    members: list[GenesisMember] = Field(default_factory=list)
    contracts: list[ContractPinModel] = Field(default_factory=list)
    governance_policy: str = "MAJORITY admins"
    approval_ttl_ms: int = Field(default=7 * 24 * 3600 * 1000, ge=60_000)
    tx_time_window_ms: int = Field(default=10 * 60 * 1000, ge=1000)
    """Client time must lie within this distance of block time (replay and clock-skew bound)."""

    @model_validator(mode="after")
    def _consistent(self) -> Genesis:
        org_ids = [o.id for o in self.orgs]
        if len(set(org_ids)) != len(org_ids):
            raise ValueError("organization ids must be unique")
        node_ids = [n.id for n in self.nodes]
        if len(set(node_ids)) != len(node_ids):
            raise ValueError("node ids must be unique")
        unknown = sorted({n.org for n in self.nodes} - set(org_ids))
        if unknown:
            raise ValueError(f"nodes name unknown organizations: {', '.join(unknown)}")
        if not any(n.voter for n in self.nodes):
            raise ValueError("at least one node must be a voter")
        names = [c.name for c in self.contracts]
        if len(set(names)) != len(names):
            raise ValueError("each contract may be pinned once")
        return self

    def org(self, org_id: str) -> GenesisOrg | None:
        return next((o for o in self.orgs if o.id == org_id), None)

    def node(self, node_id: int) -> GenesisNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def canonical_json(self) -> bytes:
        """Sorted-key compact JSON: what the genesis hash is computed over."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def hash(self) -> str:
        return hashlib.sha256(self.canonical_json()).hexdigest()


def load_genesis(path: Path) -> Genesis:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no genesis file at {path}; generate one with `rxl network init`"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable JSON genesis file: {exc}") from exc
    try:
        return Genesis.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc)}") from exc


def save_genesis(genesis: Genesis, path: Path) -> None:
    path.write_text(
        json.dumps(genesis.model_dump(mode="json"), indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
