"""Assemble and run one node process: storage, contracts, Raft driver, peer transport, API.

``rxl node start --config FILE`` calls :func:`run_node`. SIGTERM and SIGINT stop the node
cleanly: the API stops accepting requests, the driver finishes the Ready it is handling (every
LMDB write is one durable transaction, so even SIGKILL loses nothing acknowledged) and the
peer links close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from chaincode.contracts import builtin_contracts
from chaincode.registry import ContractPin, ContractRegistry, discover
from node.admission import Admission
from node.api import ApiLimits, create_app
from node.api.auth.tls import ClientCertHttpToolsProtocol
from node.chain import Chain
from node.checkpoints import CheckpointBook
from node.config import NodeConfig, load_config
from node.genesis import Genesis, load_genesis
from node.ledger_service import NodeLedgerService
from node.node_key import load_node_key
from node.pool import TxPool
from node.runtime import NodeRuntime
from node.storage.env import LedgerEnv
from node.storage.ledger import LedgerStore
from node.storage.raft_storage import RaftStorage

log = logging.getLogger("rxledger.node")


def build_registry(genesis: Genesis) -> ContractRegistry:
    """Every contract the genesis pins, from the built-ins and the entry-point group; a missing
    contract or a different code hash refuses to start (DESIGN.md: pinned contracts)."""
    contracts = {c.name: c for c in builtin_contracts()}
    for name, cls in discover().items():
        if name not in contracts:
            contracts[name] = cls()
    registry = ContractRegistry(contracts.values())
    registry.check_pins(ContractPin(p.name, p.version, p.code_hash) for p in genesis.contracts)
    return registry


@dataclass
class NodeParts:
    config: NodeConfig
    genesis: Genesis
    env: LedgerEnv
    runtime: NodeRuntime
    service: NodeLedgerService


def assemble(config: NodeConfig) -> NodeParts:
    genesis = load_genesis(config.genesis)
    if not any(n.id == config.node_id for n in genesis.nodes):
        log.warning(
            "node %s is not in the genesis file: it joins once governance adds it "
            "(config add_node) and the leader makes it a learner",
            config.node_id,
        )
    env = LedgerEnv(
        config.data_dir,
        map_size=config.storage.initial_map_size,
        max_map_size=config.storage.max_map_size,
    )
    store = LedgerStore(env)
    registry = build_registry(genesis)
    chain = Chain(store=store, genesis=genesis, registry=registry)
    chain.ensure_genesis()
    runtime = NodeRuntime(
        config=config,
        genesis=genesis,
        chain=chain,
        raft_storage=RaftStorage(env),
        checkpoints=CheckpointBook(env),
        pool=TxPool(config.limits.max_pending),
        node_key=load_node_key(config.tls.key),
    )
    admission = Admission(
        chain_id=genesis.chain_id,
        store=store,
        max_tx_bytes=config.limits.max_tx_bytes,
        time_window_ms=genesis.tx_time_window_ms,
        registry=registry,
    )
    service = NodeLedgerService(runtime=runtime, admission=admission, registry=registry)
    return NodeParts(config, genesis, env, runtime, service)


def _uvicorn_config(parts: NodeParts) -> uvicorn.Config:
    config = parts.config
    app = create_app(parts.service, limits=ApiLimits.from_config(config.limits))
    kwargs: dict[str, object] = {}
    if config.api_tls is not None:
        kwargs["ssl_certfile"] = str(config.api_tls.cert)
        kwargs["ssl_keyfile"] = str(config.api_tls.key)
        # Client certificates are optional (public verify needs none); when one is presented
        # it must chain to a consortium CA, and the API reads the member identity from it.
        client_ca = config.api_tls.client_ca
        if client_ca is None:
            client_ca = config.data_dir / "api-client-cas.pem"
            client_ca.write_text("".join(org.ca_cert_pem for org in parts.genesis.orgs))
        kwargs["ssl_ca_certs"] = str(client_ca)
        kwargs["ssl_cert_reqs"] = ssl.CERT_OPTIONAL
        kwargs["http"] = ClientCertHttpToolsProtocol
    return uvicorn.Config(
        app,
        host=config.api.host,
        port=config.api.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        **kwargs,  # type: ignore[arg-type]
    )


async def serve(parts: NodeParts, *, ready: asyncio.Event | None = None) -> None:
    """Run the node until cancelled or signalled."""
    server = uvicorn.Server(_uvicorn_config(parts))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await parts.runtime.start()
    api = asyncio.create_task(server.serve(), name="api")
    log.info(
        "node %s of %s: API on %s:%s, peers on %s:%s",
        parts.config.node_id,
        parts.genesis.chain_id,
        parts.config.api.host,
        parts.config.api.port,
        parts.config.peer.host,
        parts.config.peer.port,
    )
    if ready is not None:
        ready.set()
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({api, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if api in done and api.exception() is not None:
            raise api.exception()  # type: ignore[misc]
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(api, timeout=5)
        stopper.cancel()
        await parts.runtime.stop()
        # API reads run on the default executor; none may outlive the store they read.
        await asyncio.get_running_loop().shutdown_default_executor()
        parts.runtime.chain.close()
        parts.env.close()


def run_node(config_path: Path) -> None:
    config = load_config(config_path)
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    parts = assemble(config)
    asyncio.run(serve(parts))
