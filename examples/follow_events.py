"""Follow the ledger's trace events (an ERP/WMS integration), resuming where it stopped.

The position of the last event handled is saved after each one; a restart passes it back
and the stream continues strictly after it: no event is skipped or handled twice, across
dropped connections, node fail-overs and restarts.

    RXL_NODES=http://127.0.0.1:8080,http://127.0.0.1:8081 RXL_KEY=acme-erp.key \\
        python examples/follow_events.py erp-position.txt
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sdk.client import AsyncClient, Identity, LedgerEvent


def load_position(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


def save_position(path: Path, position: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(position)
    temporary.replace(path)  # atomic: a crash leaves the old position or the new one


async def follow(
    client: AsyncClient, position_file: Path, *, limit: int | None = None
) -> list[LedgerEvent]:
    saved = await asyncio.to_thread(load_position, position_file)
    handled: list[LedgerEvent] = []
    stream = client.events(after=saved, from_height=0, contracts="trace")  # `after` wins
    async with stream:
        async for event in stream:
            print(f"{event.position} {event.type}: {event.payload!r}")
            handled.append(event)
            await asyncio.to_thread(save_position, position_file, str(event.position))
            if limit is not None and len(handled) >= limit:
                break
    return handled


async def main() -> None:
    nodes = os.environ.get("RXL_NODES", "http://127.0.0.1:8080").split(",")
    identity = Identity.load(os.environ["RXL_KEY"], os.environ.get("RXL_CERT"))
    async with AsyncClient(nodes, identity=identity) as client:
        await follow(client, Path(sys.argv[1]))


if __name__ == "__main__":
    asyncio.run(main())
