"""A real HTTP server on 127.0.0.1 around the API over the fake ledger, for the load workers
(separate processes) to talk to."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from node.api import ApiLimits, create_app
from tests.node.api.fake import FakeLedger

START_LIMIT_S = 20.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(ledger: FakeLedger, limits: ApiLimits | None = None) -> Iterator[str]:
    """Serve the API over ``ledger`` in a thread; yields its base URL."""
    app = create_app(ledger, limits=limits or ApiLimits())
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_LIMIT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test API server did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
