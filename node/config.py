"""Node configuration: one TOML file per node, validated with clear errors.

    node_id = 1
    data_dir = "data/node1"
    genesis = "genesis.json"

    [api]
    host = "127.0.0.1"
    port = 7051

    [peer]
    host = "127.0.0.1"
    port = 7052

    [tls]
    cert = "crypto/node1.crt"
    key = "crypto/node1.key"

Relative paths are resolved against the config file's folder, so a generated network folder
can be moved as a whole.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Port = Annotated[int, Field(ge=1, le=65535)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Listen(_Section):
    host: str = "127.0.0.1"
    port: Port


class ApiTls(_Section):
    """TLS on the client API (optional): a server certificate issued by the org CA."""

    cert: Path
    key: Path
    client_ca: Path | None = None
    """When set, clients may authenticate with certificates issued by these CAs (mTLS)."""


class NodeTls(_Section):
    """The node's identity on the peer link (mutual TLS)."""

    cert: Path
    key: Path


class BlockLimits(_Section):
    """When the leader cuts a block: whichever limit is reached first."""

    max_transactions: int = Field(default=2000, ge=1, le=100_000)
    max_bytes: int = Field(default=4 << 20, ge=1024, le=64 << 20)
    timeout_ms: int = Field(default=20, ge=1, le=10_000)


class RaftTiming(_Section):
    tick_ms: int = Field(default=50, ge=5, le=5000)
    election_ticks: int = Field(default=10, ge=2, le=1000)
    heartbeat_ticks: int = Field(default=1, ge=1, le=100)
    max_inflight: int = Field(default=64, ge=1, le=4096)
    max_message_bytes: int = Field(default=8 << 20, ge=1024, le=64 << 20)
    compact_every: int = Field(default=10_000, ge=100)
    """Compact the Raft log every this many applied entries (keeping a tail for slow peers)."""


class Limits(_Section):
    max_tx_bytes: int = Field(default=1 << 20, ge=256, le=32 << 20)
    max_body_bytes: int = Field(default=32 << 20, ge=1024, le=256 << 20)
    max_batch: int = Field(default=5000, ge=1, le=100_000)
    max_pending: int = Field(default=200_000, ge=1)
    """Transactions accepted but not yet committed; beyond it submissions get 503."""
    rate_per_second: float = Field(default=0.0, ge=0.0)
    """Requests per second per client address; 0 disables the limit."""
    wait_timeout_s: float = Field(default=30.0, gt=0.0, le=600.0)


class Storage(_Section):
    initial_map_size: int = Field(default=1 << 28, ge=1 << 20)
    max_map_size: int = Field(default=1 << 40, ge=1 << 20)


class NodeConfig(_Section):
    """Everything one node process needs; the consortium-wide part lives in the genesis file."""

    node_id: int = Field(ge=1)
    data_dir: Path
    genesis: Path
    api: Listen
    peer: Listen
    tls: NodeTls
    api_tls: ApiTls | None = None
    block: BlockLimits = BlockLimits()
    raft: RaftTiming = RaftTiming()
    limits: Limits = Limits()
    storage: Storage = Storage()
    log_level: str = Field(default="info", pattern="^(debug|info|warning|error)$")


class ConfigError(Exception):
    """The config file is missing, not TOML, or does not validate; the message says where."""

    code = "config.invalid"


def load_config(path: Path) -> NodeConfig:
    """Read and validate a node config; relative paths become relative to the file's folder."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"no config file at {path}; create one with `rxl network init`") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file: {exc}") from exc
    try:
        config = NodeConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe(exc)}") from exc
    return resolve_paths(config, path.parent)


def describe(exc: ValidationError) -> str:
    """One line per problem: `section.field: what is wrong`."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
        for err in exc.errors(include_url=False)
    )


def resolve_paths(config: NodeConfig, base: Path) -> NodeConfig:
    def fix(path: Path) -> Path:
        return path if path.is_absolute() else (base / path).resolve()

    updates: dict[str, Any] = {
        "data_dir": fix(config.data_dir),
        "genesis": fix(config.genesis),
        "tls": config.tls.model_copy(
            update={"cert": fix(config.tls.cert), "key": fix(config.tls.key)}
        ),
    }
    if config.api_tls is not None:
        ca = config.api_tls.client_ca
        updates["api_tls"] = config.api_tls.model_copy(
            update={
                "cert": fix(config.api_tls.cert),
                "key": fix(config.api_tls.key),
                "client_ca": None if ca is None else fix(ca),
            }
        )
    return config.model_copy(update=updates)
