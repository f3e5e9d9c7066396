"""The four signed-request headers, parsed strictly (docs/api.md, Signed requests)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Final

from starlette.datastructures import Headers

from node.api.errors import AuthError
from sdk.errors import SdkError
from sdk.keys import Algorithm, Signature

KEY_ID: Final = "x-rxl-key-id"
TIMESTAMP: Final = "x-rxl-timestamp"
NONCE: Final = "x-rxl-nonce"
SIGNATURE: Final = "x-rxl-signature"
ALL: Final = (KEY_ID, TIMESTAMP, NONCE, SIGNATURE)

MALFORMED: Final = "auth.malformed"

_KEY_ID = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,16}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    key_id: str
    timestamp_ms: int
    nonce: str
    signature: Signature


def signed_headers(headers: Headers) -> SignedHeaders | None:
    """The request's signature headers; None when it sent none; ``auth.malformed`` when it
    sent some but not all, or one is not in the documented format."""
    present = {name: headers.get(name) for name in ALL}
    if all(value is None for value in present.values()):
        return None
    missing = [name for name, value in present.items() if value is None]
    if missing:
        raise AuthError(
            f"signed request lacks {', '.join(_title(m) for m in missing)}; send all of "
            f"{', '.join(_title(n) for n in ALL)}",
            code=MALFORMED,
        )
    key_id, timestamp, nonce, signature = (str(present[name]).strip() for name in ALL)
    if _KEY_ID.fullmatch(key_id) is None:
        raise AuthError(f"{_title(KEY_ID)} must be 64 lower-case hex digits", code=MALFORMED)
    if _TIMESTAMP.fullmatch(timestamp) is None:
        raise AuthError(
            f"{_title(TIMESTAMP)} must be integer milliseconds since the epoch", code=MALFORMED
        )
    if _NONCE.fullmatch(nonce) is None:
        raise AuthError(
            f"{_title(NONCE)} must be 16 to 64 characters of A-Z a-z 0-9 _ -", code=MALFORMED
        )
    return SignedHeaders(key_id, int(timestamp), nonce, _signature(signature))


def _signature(text: str) -> Signature:
    name, sep, encoded = text.partition(":")
    if not sep:
        raise AuthError(f"{_title(SIGNATURE)} must be `ed25519:<base64 signature>`", code=MALFORMED)
    try:
        algorithm = Algorithm.from_name(name.strip().lower())
        raw = base64.b64decode(encoded.strip(), validate=True)
        return Signature(algorithm, raw)
    except (binascii.Error, ValueError) as exc:
        raise AuthError(f"{_title(SIGNATURE)} is not valid base64", code=MALFORMED) from exc
    except SdkError as exc:
        raise AuthError(f"{_title(SIGNATURE)}: {exc}", code=MALFORMED) from exc


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
