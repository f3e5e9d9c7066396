"""Pydantic models of what the API sends and receives; they mirror ``node.service``.

They exist for the OpenAPI document and for validated, typed responses. Ledger values
(``chaincode.api.Value``) become JSON with bytes written as ``{"$bytes": "<base64>"}`` so a
client can tell them from strings (see ``node.api.convert``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from node.service import Consistency, TxState


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorBody(_Model):
    code: str = Field(description="Stable dotted code, e.g. `tx.duplicate`.")
    message: str = Field(description="Human-readable; never parse it.")


class ErrorResponse(_Model):
    """The shape of every error answer."""

    error: ErrorBody


class SubmitRequest(_Model):
    """JSON body of ``POST /v1/transactions``: exactly one of the two fields."""

    transactions: list[str] | None = Field(
        default=None, description="Signed transactions, each its wire bytes in base64."
    )
    transaction: str | None = Field(default=None, description="One signed transaction, base64.")


class ReceiptModel(_Model):
    tx_id: str
    state: TxState
    code: str = Field(description="`ok` when executed; else the rejection code.")
    message: str
    height: int | None
    index: int | None
    block_hash: str | None
    block_time_ms: int | None
    result: JsonValue


class SubmitItem(_Model):
    tx_id: str
    accepted: bool
    receipt: ReceiptModel | None = Field(description="Set when accepted.")
    error: ErrorBody | None = Field(description="Set when refused.")


class SubmitResponse(_Model):
    """Per-transaction results, in request order. ``error`` is set only when all failed."""

    results: list[SubmitItem]
    error: ErrorBody | None = None


class StateEntryModel(_Model):
    key: str
    value: JsonValue = Field(description="The value; null in history means deleted.")
    height: int
    tx_index: int


class StateResponse(_Model):
    contract: str
    consistency: Consistency
    entry: StateEntryModel


class StatePage(_Model):
    items: list[StateEntryModel]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class BlockModel(_Model):
    height: int
    block_hash: str
    header: dict[str, JsonValue]
    tx_ids: list[str]
    results: list[str] = Field(description="Per-transaction result code (`ok` or rejection).")
    transactions: list[str | None] = Field(
        description="Each transaction's wire bytes, base64; null where the caller may not "
        "see it (a member sees the bodies its own organization signed)."
    )


class ProofModel(_Model):
    tx_id: str
    height: int
    index: int
    tree_size: int
    path: list[str] = Field(description="Sibling hashes, hex, leaf to root.")
    tx_root: str
    block_hash: str
    header: dict[str, JsonValue]
    checkpoints: list[dict[str, JsonValue]]


class QueryRequest(_Model):
    args: dict[str, JsonValue] = Field(default_factory=dict)


class QueryResponse(_Model):
    contract: str
    function: str
    result: JsonValue


class EventModel(_Model):
    """The ``data:`` of one Server-Sent Event.

    Its ``id:`` is ``{height}-{tx_index}-{event_index}``.
    """

    height: int
    tx_index: int
    event_index: int
    tx_id: str
    contract: str
    type: str
    payload: JsonValue


class PeerHealthModel(_Model):
    node_id: int
    connected: bool
    match_index: int | None
    last_error: str


class HealthModel(_Model):
    healthy: bool
    node_id: int
    chain_id: str
    role: str
    leader_id: int | None
    term: int
    height: int
    applied_index: int
    commit_index: int
    fork_alarm: str | None
    peers: list[PeerHealthModel]
    certificate_warnings: list[str]
    error: ErrorBody | None = Field(default=None, description="Why the node is unhealthy.")


class PublicProductModel(_Model):
    product_key: str | None = None
    generic_name: str | None = None
    trade_name: str | None = None
    dosage_form: str | None = None
    strength: str | None = None
    pack_size: int | None = None
    packaging_level: str | None = None
    storage_min_centi_c: int | None = None
    storage_max_centi_c: int | None = None


class VerifyResponse(_Model):
    """The public answer to a scan (``trace.verify`` without custody or commercial data)."""

    code: str = Field(description="The canonical key of the scanned code.")
    verified: bool
    verificationFailureReason: str | None = Field(  # GS1 Lightweight Verification names
        default=None, description="`No_match_GTIN_Serial`, `No_match_Code`, `…_Lot`, `…_Expiry`."
    )
    additionalInfo: str | None = Field(
        default=None,
        description="Most serious condition: Recalled, Illegitimate, Suspect, Expired, "
        "Dispensed, Destroyed, Decommissioned.",
    )
    commissioned: bool
    product: PublicProductModel | None = None
    lot: str | None = None
    expiry: str | None = Field(default=None, description="YYYY-MM-DD")
    production_date: str | None = None
    level: str | None = None
    status: str | None = Field(
        default=None, description="active, in_transit, dispensed or the decommission reason."
    )
    recalled: bool | None = None
    expired: bool | None = None
    dispensed: bool | None = None
    hold: str | None = Field(default=None, description="suspect or quarantined, when held.")
    batch_release: str | None = Field(default=None, description="The release status.")


class AuditLineModel(_Model):
    """One line of ``GET /v1/audit/export`` (JSON lines)."""

    contract: str
    key: str
    height: int
    tx_index: int
    tx_id: str
    block_time_ms: int
    value: JsonValue = Field(description="The value written; null: deleted.")
