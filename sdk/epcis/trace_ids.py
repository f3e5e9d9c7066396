"""Ledger identities as EPCIS 2.0 URIs, and back (docs/epcis.md, "Identifiers").

EPCs are written as canonical GS1 Digital Links on `https://id.gs1.org`, not EPC URNs: the
ledger keeps a GTIN-14 and a serial but never the GS1 company prefix length an SGTIN URN
needs, the CBV 2.0 event hash is computed over Digital Links anyway, and EPCIS 2.0 prefers
them. What GS1 has no identifier for lives under one private URN namespace, `urn:rxledger:`:

| ledger | URI |
|---|---|
| `sgtin:{gtin14}.{serial}` | `https://id.gs1.org/01/{gtin14}/21/{serial}` |
| `sscc:{18}` | `https://id.gs1.org/00/{sscc}` |
| `nmpa20:{20}`, `prop:{issuer}:{value}` | `urn:rxledger:code:{key}` |
| GLN (13 digits) | `https://id.gs1.org/414/{gln}` |
| org id | `urn:rxledger:org:{org}` |
| batch of `gtin:{gtin14}` | `https://id.gs1.org/01/{gtin14}/10/{lot}` (an LGTIN class) |
| batch of another product key | `urn:rxledger:batch:{product_key}:{percent-encoded lot}` |
| a business reference that is not a URI | `urn:rxledger:ref:{percent-encoded text}` |

Reading accepts more than writing: EPC URNs (`urn:epc:id:sgtin:…`, `sscc`, `sgln`,
`urn:epc:class:lgtin:…`) and Digital Links on any host.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from sdk.codes import CodeError, Gs1Code, emit_digital_link, parse_code
from sdk.codes.emit import percent_encode

__all__ = [
    "BATCH_URN",
    "CODE_URN",
    "ORG_URN",
    "REF_URN",
    "batch_of_uri",
    "batch_uri",
    "code_key",
    "epc_uri",
    "gln_of_uri",
    "gln_uri",
    "key_of_epc",
    "org_of_uri",
    "org_uri",
    "ref_of_transaction",
    "transaction_of_ref",
]

CODE_URN = "urn:rxledger:code:"
ORG_URN = "urn:rxledger:org:"
BATCH_URN = "urn:rxledger:batch:"
REF_URN = "urn:rxledger:ref:"
KEY_PREFIXES = ("sgtin:", "sscc:", "nmpa20:", "prop:")
_OTHER_KEY = re.compile(r"nmpa20:\d{20}|prop:[a-z0-9][a-z0-9-]{0,31}:[A-Za-z0-9._-]{1,64}")
_ORG = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
#: CBV 2.0 business transaction types (bare values; BTT- Web URIs expand from these).
BTT_VALUES = frozenset(
    {"bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder"}
    | {"recadv", "rma", "testprd", "testres", "upevt"}
)


def code_key(text: str, reference_year: int) -> str | None:
    """The ledger key of a code text the trace contract accepts; None unless a tracked unit.

    Mirrors the contract: a canonical key is taken as written, anything else is parsed with
    the AI 17 century window of `reference_year` (the block's year).
    """
    if text.startswith(KEY_PREFIXES):
        return text
    try:
        code = parse_code(text, reference_year=reference_year)
    except CodeError:
        return None
    key = code.key
    return key if key.startswith(KEY_PREFIXES) and code.is_serialized else None


def epc_uri(key: str) -> str:
    """The EPC URI of a ledger code key (ValueError for anything that is not a code key)."""
    if key.startswith("sgtin:"):
        gtin, dot, serial = key[len("sgtin:") :].partition(".")
        if dot and serial:
            return emit_digital_link([("01", gtin), ("21", serial)])
    elif key.startswith("sscc:"):
        return emit_digital_link([("00", key[len("sscc:") :])])
    elif _OTHER_KEY.fullmatch(key):
        return CODE_URN + key
    raise ValueError(f"{key!r} is not a code key")


def key_of_epc(uri: str) -> str | None:
    """The ledger key an EPC URI names (a serialized item or a logistic unit), else None."""
    if uri.startswith(CODE_URN):
        key = uri[len(CODE_URN) :]
        return key if _OTHER_KEY.fullmatch(key) else None
    code = _gs1(uri)
    if code is None or not code.is_serialized:
        return None
    key = code.key
    return key if key.startswith(("sgtin:", "sscc:")) else None


def gln_uri(gln: str) -> str:
    return emit_digital_link([("414", gln)])


def gln_of_uri(uri: str) -> str | None:
    """The GLN of a location URI without an extension (or extension 0), else None."""
    code = _gs1(uri)
    if code is None or code.gln is None or code.value("254") not in (None, "0"):
        return None
    return code.gln


def org_uri(org: str) -> str:
    return ORG_URN + org


def org_of_uri(uri: str) -> str | None:
    org = uri[len(ORG_URN) :] if uri.startswith(ORG_URN) else None
    return org if org is not None and _ORG.fullmatch(org) else None


def batch_uri(product_key: str, lot: str) -> str:
    """The class URI of a batch: an LGTIN Digital Link for GTIN products."""
    if product_key.startswith("gtin:"):
        return emit_digital_link([("01", product_key[len("gtin:") :]), ("10", lot)])
    return f"{BATCH_URN}{product_key}:{percent_encode(lot)}"


def batch_of_uri(uri: str) -> tuple[str, str] | None:
    """(product key, lot) of a batch class URI, else None."""
    if uri.startswith(BATCH_URN):
        product_key, colon, lot = uri[len(BATCH_URN) :].rpartition(":")
        return (product_key, unquote(lot)) if colon and product_key and lot else None
    code = _gs1(uri)
    if code is None or code.gtin is None or code.lot is None or code.serial is not None:
        return None
    return f"gtin:{code.gtin}", code.lot


def transaction_of_ref(ref: str) -> tuple[str | None, str]:
    """(type, bizTransaction URI) of a ledger business reference.

    A reference is `"{type} {value}"` when its first word is a CBV transaction type or a URI
    (URIs hold no spaces, so the split is unambiguous), else just `"{value}"`. A value that is
    not a URI is carried as `urn:rxledger:ref:{percent-encoded}`.
    """
    head, space, tail = ref.partition(" ")
    kind: str | None = None
    value = ref
    if space and tail and (head in BTT_VALUES or _URI.fullmatch(head)):
        kind, value = head, tail
    return kind, value if _URI.fullmatch(value) else REF_URN + percent_encode(value)


def ref_of_transaction(kind: str | None, uri: str) -> str:
    """The ledger business reference of a bizTransaction (inverse of transaction_of_ref)."""
    verbatim = uri if kind is None else f"{kind} {uri}"
    if not uri.startswith(REF_URN):
        return verbatim
    decoded = unquote(uri[len(REF_URN) :])
    ref = decoded if kind is None else f"{kind} {decoded}"
    # Decode only what writes back to the same URI (a canonical encoding, no stray type word).
    return ref if transaction_of_ref(ref) == (kind, uri) else verbatim


def _gs1(uri: str) -> Gs1Code | None:
    """A GS1 Digital Link (any host, leniently, as the CBV hash reads it) or EPC URN."""
    lowered = uri.lower()
    if not lowered.startswith(("http://", "https://", "urn:epc:id:", "urn:epc:class:")):
        return None
    try:
        code = parse_code(uri, reference_year=2000, lenient=True)
    except CodeError:
        return None
    return code if isinstance(code, Gs1Code) else None
