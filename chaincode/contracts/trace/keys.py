"""The trace contract's state layout: every key it writes is built here.

``SEP`` ("|") closes every variable component. No GS1 serial or lot (character set 82), no
canonical code key and no org id may contain it (``codes.py`` and ``check_org`` refuse them),
so ``prefix + SEP`` ranges never catch a longer sibling (serials may contain "/": "/" alone
would make ``child/A/`` match children of ``A/B``).

    product/{product_key}                      product master data
    batch/{product_key}|{lot}                  batch binding and recall status
    code/{code_key}                            one record per commissioned code
    child/{parent_key}|{child_key}             aggregation, walked by prefix range
    parent/{child_key}                         the one parent of a child
    holding/{product_key}|{lot}|{org}          codes of a batch an org owns (recall scope)
    shipment/{tx_id}                           commercial data of a shipment (never in verify)
    log/{code_key}|{position}                  events of a code, in ledger order
    blog/{product_key}|{lot}|{position}        events of a batch, in ledger order
    alert/{position}                           every alert, in ledger order
    meta/ordinal                               [height, n]: this block's n-th trace transaction

A position is ``{height:012d}|{ordinal:06d}|{seq:04d}``: fixed width, so string order is ledger
order (block, then transaction within the block, then event within the transaction).
"""

from __future__ import annotations

import re
from datetime import date

SEP = "|"
ORG_PATTERN = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
LOT_PATTERN = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")
"""GS1 character set 82, 1–20 characters (GS1 GenSpecs, AI 10)."""
DAY_MS = 86_400_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

ORDINAL_KEY = "meta/ordinal"


def product(product_key: str) -> str:
    return f"product/{product_key}"


def batch_id(product_key: str, lot: str) -> str:
    return f"{product_key}{SEP}{lot}"


def batch(bid: str) -> str:
    return f"batch/{bid}"


def code(code_key: str) -> str:
    return f"code/{code_key}"


def child_prefix(parent_key: str) -> str:
    return f"child/{parent_key}{SEP}"


def child(parent_key: str, child_key: str) -> str:
    return f"child/{parent_key}{SEP}{child_key}"


def parent(child_key: str) -> str:
    return f"parent/{child_key}"


def holding_prefix(bid: str) -> str:
    return f"holding/{bid}{SEP}"


def holding(bid: str, org: str) -> str:
    return f"holding/{bid}{SEP}{org}"


def shipment(tx_id: str) -> str:
    return f"shipment/{tx_id}"


def log_prefix(code_key: str) -> str:
    return f"log/{code_key}{SEP}"


def batch_log_prefix(bid: str) -> str:
    return f"blog/{bid}{SEP}"


ALERT_PREFIX = "alert/"


def position(height: int, ordinal: int, seq: int) -> str:
    return f"{height:012d}{SEP}{ordinal:06d}{SEP}{seq:04d}"


def day_of(time_ms: int) -> date:
    """The UTC calendar day of a block time (the only clock a contract has)."""
    return date.fromordinal(_EPOCH_ORDINAL + time_ms // DAY_MS)


def parse_day(text: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date, or None when malformed or not a calendar day."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
