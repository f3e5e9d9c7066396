"""Small helpers around asyncio streams shared by both directions of the link."""

from __future__ import annotations

import asyncio


async def close_writer(writer: asyncio.StreamWriter, timeout_s: float) -> None:
    """Close politely (TLS close_notify), but never wait longer than ``timeout_s``.

    A dead or hostile peer may never answer the close; aborting then frees the socket at once
    instead of holding it for the default 30 s TLS shutdown timeout.
    """
    writer.close()
    try:
        async with asyncio.timeout(timeout_s):
            await writer.wait_closed()
    except (OSError, TimeoutError):
        # The connection already failed or the peer is mute: nothing left to say to it.
        writer.transport.abort()


def describe(exc: BaseException) -> str:
    """A one-line reason for logs and ``PeerStats.last_error``."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text
