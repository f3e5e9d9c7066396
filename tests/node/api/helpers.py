"""Small helpers shared by the API tests: body builders and an SSE parser."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of an answer, checking the one shape every error has."""
    body = response.json()
    error = body["error"]
    assert set(error) == {"code", "message"}
    assert isinstance(error["message"], str)
    return dict(error)


@dataclass(frozen=True)
class SseFrame:
    id: str | None
    event: str | None
    data: Any
    comment: str | None


def parse_sse(text: str) -> list[SseFrame]:
    """Frames of an event stream, per the WHATWG field rules we use (one data line)."""
    frames = []
    for block in text.split("\n\n"):
        if not block:
            continue
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        comment = fields.get("")
        data = json.loads(fields["data"]) if "data" in fields else None
        frames.append(SseFrame(fields.get("id"), fields.get("event"), data, comment))
    return frames
