"""The release contract: batch records, CoA, deviations, changes, materials, QP decisions.

State (the separator "|" never occurs in a product key or GS1 lot):

    record/{product_key}|{lot}   the batch record a QP reviews; its hash is what is signed
    status/{product_key}|{lot}   status, released markets, decisions and signatures

Who: the owning org's MANUFACTURER or QA registers the batch and adds materials; its QA
records CoA, deviations and change controls; its QP releases or rejects (21 CFR 211.192,
EU Annex 16); QA or QP quarantines; QA, QP or any REGULATOR recalls.
"""

from __future__ import annotations

from typing import Any, cast

from chaincode.api import Context, Contract, Value, query, transaction
from chaincode.contracts.release import errors
from chaincode.contracts.release.blockers import blockers
from chaincode.contracts.release.models import (
    BatchInfoArgs,
    BatchRef,
    ChangeControlArgs,
    CloseDeviationArgs,
    CoaArgs,
    DeviationArgs,
    Manifest,
    MaterialsArgs,
    ReasonArgs,
    RegisterBatchArgs,
    RejectArgs,
    ReleaseArgs,
)
from chaincode.contracts.release.record import (
    batch_id,
    check_gln,
    check_product_key,
    evaluate,
    record_sha256,
    to_ms,
)
from sdk.roles import Role

SIGNING_WINDOW_MS = 300_000
"""A manifestation's signing time may differ from block time by at most 5 minutes."""
EDITABLE = ("pending", "quarantined")
TRANSITIONS = {
    "pending": ("released", "rejected", "quarantined"),
    "quarantined": ("released", "rejected", "recalled"),
    "released": ("released", "quarantined", "recalled"),
    "rejected": (),
    "recalled": (),
}
MEANINGS = {"released": ("approval", "release"), "rejected": ("rejection", "review")}


def _reject(code: str, message: str) -> errors.ReleaseRejection:
    return errors.ReleaseRejection(code, message)


class ReleaseContract(Contract):
    """Batch disposition by a QP, bound by signature to the reviewed batch record."""

    name = "release"
    version = "1.0"

    @transaction(Role.MANUFACTURER, Role.QA)
    def register_batch(self, ctx: Context, args: RegisterBatchArgs) -> Value:
        """A batch of the signer's org, pending release."""
        bid = batch_id(check_product_key(args.product_key), args.lot)
        if ctx.get(f"record/{bid}") is not None:
            raise _reject(errors.DUPLICATE, f"batch {bid} exists")
        manufactured, expiry = to_ms(args.manufactured), to_ms(args.expiry)
        if expiry <= manufactured:
            raise _reject(errors.BAD_DATE, "expiry must be after manufacture")
        record: dict[str, Value] = {
            "product_key": args.product_key,
            "lot": args.lot,
            "owner": ctx.signer.org_id,
            "size": args.size,
            "unit": args.unit,
            "site_gln": check_gln(args.site_gln),
            "manufactured_ms": manufactured,
            "expiry_ms": expiry,
            "ebr_sha256": args.ebr_sha256,
            "coa": {"lab": None, "document_sha256": None, "tests": {}},
            "deviations": {},
            "changes": {},
            "materials": [],
        }
        ctx.put(f"record/{bid}", record)
        status = {"status": "pending", "released_markets": [], "decisions": []}
        ctx.put(f"status/{bid}", cast(Value, status))
        ctx.emit("release.batch_registered", {"product_key": args.product_key, "lot": args.lot})
        return {"record_sha256": record_sha256(record)}

    @transaction(Role.QA)
    def record_coa(self, ctx: Context, args: CoaArgs) -> Value:
        """CoA tests (added or replaced by id); pass/fail is computed, never read from input."""
        record = self._editable(ctx, args)
        tests = dict(cast(dict[str, Value], record["coa"]["tests"]))
        verdicts: dict[str, Value] = {}
        for test in args.tests:
            entry = test.model_dump()
            passed, why = evaluate(entry["spec"], entry["result"])
            tests[test.test] = {k: v for k, v in entry.items() if k != "test"}
            verdicts[test.test] = {"passed": passed, "detail": why}
        record["coa"] = {"lab": args.lab, "document_sha256": args.document_sha256, "tests": tests}
        self._save(ctx, args, record)
        return verdicts

    @transaction(Role.QA)
    def record_deviation(self, ctx: Context, args: DeviationArgs) -> Value:
        record = self._editable(ctx, args)
        deviations = dict(cast(dict[str, Value], record["deviations"]))
        if args.deviation in deviations:
            raise _reject(errors.DUPLICATE, f"deviation {args.deviation!r} exists")
        deviations[args.deviation] = {
            "severity": args.severity,
            "description": args.description,
            "impact_assessment": args.impact_assessment,
            "status": "open",
            "capa": None,
        }
        record["deviations"] = deviations
        return self._save(ctx, args, record)

    @transaction(Role.QA)
    def close_deviation(self, ctx: Context, args: CloseDeviationArgs) -> Value:
        """Close a deviation; closing needs an impact assessment (now or recorded before)."""
        record = self._editable(ctx, args)
        deviations = dict(cast(dict[str, Any], record["deviations"]))
        found = deviations.get(args.deviation)
        if found is None:
            raise _reject(errors.UNKNOWN_DEVIATION, f"no deviation {args.deviation!r}")
        if found["status"] == "closed":
            raise _reject(errors.DEVIATION_CLOSED, f"deviation {args.deviation!r} is closed")
        impact = args.impact_assessment or found["impact_assessment"]
        if impact is None:
            raise _reject(errors.IMPACT_REQUIRED, "closing a deviation needs an impact assessment")
        deviations[args.deviation] = {
            **found,
            "impact_assessment": impact,
            "capa": args.capa,
            "status": "closed",
        }
        record["deviations"] = deviations
        return self._save(ctx, args, record)

    @transaction(Role.QA)
    def record_change_control(self, ctx: Context, args: ChangeControlArgs) -> Value:
        """A change control touching the batch (added or updated by id)."""
        record = self._editable(ctx, args)
        changes = dict(cast(dict[str, Value], record["changes"]))
        changes[args.change] = {"description": args.description, "status": args.status}
        record["changes"] = changes
        return self._save(ctx, args, record)

    @transaction(Role.MANUFACTURER, Role.QA)
    def add_materials(self, ctx: Context, args: MaterialsArgs) -> Value:
        """Materials used, with supplier, supplier lot, quantity and time of use."""
        record = self._editable(ctx, args)
        lines = list(cast(list[Value], record["materials"]))
        for line in args.materials:
            if line.product_key is not None:
                check_product_key(line.product_key)
            entry = cast(dict[str, Value], line.model_dump(exclude={"used_at"}))
            entry["used_at_ms"] = to_ms(line.used_at)
            lines.append(entry)
        record["materials"] = lines
        return self._save(ctx, args, record)

    @transaction(Role.QP)
    def release_batch(self, ctx: Context, args: ReleaseArgs) -> Value:
        """QP release for ``markets`` with a 21 CFR 11.50 manifestation bound to the record."""
        record, status = self._decide(ctx, args, "released", args.manifest)
        found = blockers(ctx, record)
        if found:
            listing = "; ".join(f"{b['code']!s} {b['subject']!s}: {b['detail']!s}" for b in found)
            raise _reject(cast(str, found[0]["code"]), f"release blocked: {listing}")
        markets = sorted({*cast(list[str], status["released_markets"]), *args.markets})
        return self._record_decision(ctx, args, status, "released", args.manifest, markets, None)

    @transaction(Role.QP)
    def reject_batch(self, ctx: Context, args: RejectArgs) -> Value:
        """QP rejection, signed like a release (meaning "rejection" or "review")."""
        _, status = self._decide(ctx, args, "rejected", args.manifest)
        return self._record_decision(ctx, args, status, "rejected", args.manifest, [], args.reason)

    @transaction(Role.QA, Role.QP)
    def quarantine_batch(self, ctx: Context, args: ReasonArgs) -> Value:
        _, status = self._decide(ctx, args, "quarantined", None)
        markets = cast(list[str], status["released_markets"])
        return self._record_decision(ctx, args, status, "quarantined", None, markets, args.reason)

    @transaction(Role.QA, Role.QP, Role.REGULATOR)
    def recall_batch(self, ctx: Context, args: ReasonArgs) -> Value:
        """Recall: the owner's QA/QP, or any regulator."""
        _, status = self._decide(ctx, args, "recalled", None)
        markets = cast(list[str], status["released_markets"])
        return self._record_decision(ctx, args, status, "recalled", None, markets, args.reason)

    @query()
    def batch_info(self, ctx: Context, args: BatchInfoArgs) -> Value:
        """What trace asks before shipping: None for an unknown batch, else its status."""
        status = ctx.get(f"status/{batch_id(args.product_key, args.lot)}")
        if not isinstance(status, dict):
            return None
        record = cast(dict[str, Any], ctx.get(f"record/{batch_id(args.product_key, args.lot)}"))
        return {
            "status": status["status"],
            "released_markets": status["released_markets"],
            "owner": record["owner"],
            "expiry_ms": record["expiry_ms"],
        }

    @query()
    def get_batch(self, ctx: Context, args: BatchRef) -> Value:
        """The record, its hash (what a QP signs), and status with decisions."""
        record = self._record(ctx, args)
        status = ctx.get(f"status/{batch_id(args.product_key, args.lot)}")
        return {"record": record, "record_sha256": record_sha256(record), "status": status}

    @query()
    def release_blockers(self, ctx: Context, args: BatchRef) -> Value:
        """Every reason the batch cannot be released now; empty when it can."""
        return cast(list[Value], blockers(ctx, self._record(ctx, args)))

    def _record(self, ctx: Context, ref: BatchRef) -> dict[str, Any]:
        found = ctx.get(f"record/{batch_id(ref.product_key, ref.lot)}")
        if not isinstance(found, dict):
            raise _reject(errors.UNKNOWN_BATCH, f"no batch {ref.product_key} lot {ref.lot}")
        return dict(found)

    def _owned(self, ctx: Context, ref: BatchRef) -> dict[str, Any]:
        record = self._record(ctx, ref)
        if record["owner"] != ctx.signer.org_id:
            raise _reject(errors.NOT_OWNER, f"batch belongs to {record['owner']!r}")
        return record

    def _editable(self, ctx: Context, ref: BatchRef) -> dict[str, Any]:
        record = self._owned(ctx, ref)
        status = cast(dict[str, Any], ctx.get(f"status/{batch_id(ref.product_key, ref.lot)}"))
        if status["status"] not in EDITABLE:
            raise _reject(errors.BATCH_LOCKED, f"batch is {status['status']}; its record is final")
        return record

    def _save(self, ctx: Context, ref: BatchRef, record: dict[str, Any]) -> Value:
        ctx.put(f"record/{batch_id(ref.product_key, ref.lot)}", record)
        return {"record_sha256": record_sha256(record)}

    def _decide(
        self, ctx: Context, ref: BatchRef, wanted: str, manifest: Manifest | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Authority, transition and the manifestation checks common to every decision."""
        record = self._record(ctx, ref)
        regulator = wanted == "recalled" and Role.REGULATOR in ctx.signer.roles
        if record["owner"] != ctx.signer.org_id and not regulator:
            raise _reject(errors.NOT_OWNER, f"batch belongs to {record['owner']!r}")
        status = cast(dict[str, Any], ctx.get(f"status/{batch_id(ref.product_key, ref.lot)}"))
        if wanted not in TRANSITIONS[status["status"]]:
            raise _reject(errors.BAD_TRANSITION, f"a {status['status']} batch cannot be {wanted}")
        if manifest is not None:
            if manifest.meaning not in MEANINGS[wanted]:
                raise _reject(
                    errors.BAD_MEANING, f"meaning must be one of {', '.join(MEANINGS[wanted])}"
                )
            if abs(manifest.signed_at_ms - ctx.block_time_ms) > SIGNING_WINDOW_MS:
                raise _reject(errors.SIGNING_TIME, "signing time is not within 5 min of block time")
            if manifest.record_sha256 != record_sha256(record):
                raise _reject(
                    errors.RECORD_HASH_MISMATCH,
                    "the signed record hash is not the current batch record's: review it again",
                )
        return record, status

    def _record_decision(
        self,
        ctx: Context,
        ref: BatchRef,
        status: dict[str, Any],
        outcome: str,
        manifest: Manifest | None,
        markets: list[str],
        reason: str | None,
    ) -> Value:
        decision: dict[str, Value] = {
            "status": outcome,
            "markets": cast(list[Value], markets),
            "reason": reason,
            "by": ctx.signer.key_id,
            "org": ctx.signer.org_id,
            "at_ms": ctx.block_time_ms,
            "tx_id": ctx.tx_id,
            "signature": None
            if manifest is None
            else cast(dict[str, Value], manifest.model_dump()),
        }
        updated: dict[str, Value] = {
            "status": outcome,
            "released_markets": cast(list[Value], markets),
            "decisions": [*status["decisions"], decision],
        }
        ctx.put(f"status/{batch_id(ref.product_key, ref.lot)}", updated)
        ctx.emit(
            f"release.batch_{outcome}", {"product_key": ref.product_key, "lot": ref.lot, **decision}
        )
        return decision
