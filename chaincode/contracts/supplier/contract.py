"""The supplier contract: the approved supplier list of each buying manufacturer.

Who may write what (ICH Q7 §7, ICH Q10 §2.7, EU GMP ch. 7): the buying manufacturer's QA
(role ``qa``, org = the entry's ``buyer``) registers suppliers and materials, decides every
status, records audits, agreements and verifies certificates. A signer with role
``supplier`` of the supplier's own org may submit its certificates (they count only once the
buyer's QA has verified them) and declare its own sub-suppliers.
"""

from __future__ import annotations

from typing import Any, cast

from chaincode.api import Context, Contract, Value, query, transaction
from chaincode.contracts.supplier import errors
from chaincode.contracts.supplier import status as st
from chaincode.contracts.supplier.models import (
    AgreementArgs,
    AssignMaterialArgs,
    AuditArgs,
    CertificateArgs,
    CertificateRefArgs,
    DueArgs,
    HistoryArgs,
    LinkArgs,
    RegisterMaterialArgs,
    RegisterSupplierArgs,
    SetStatusArgs,
    SupplierRef,
    SweepArgs,
    WasApprovedArgs,
)
from chaincode.contracts.supplier.rules import (
    USABLE,
    Status,
    check_gln,
    check_transition,
    first_uncovered,
    to_ms,
)
from chaincode.contracts.supplier.tree import build_tree, reaches
from sdk.roles import Role

SEP = st.SEP


def _require_buyer(ctx: Context, record: dict[str, Any]) -> None:
    if Role.QA not in ctx.signer.roles or ctx.signer.org_id != record["buyer"]:
        raise errors.SupplierRejection(
            errors.NOT_BUYER,
            f"only QA of the buying org {record['buyer']!r} may do this for supplier "
            f"{record['supplier']!r}",
        )


def _require_assigned(ctx: Context, supplier: str, material: str) -> None:
    if ctx.get(st.status_key(supplier, material)) is None:
        raise errors.SupplierRejection(
            errors.NOT_ASSIGNED, f"material {material!r} is not assigned to {supplier!r}"
        )


class SupplierContract(Contract):
    """Supplier qualification: entries, materials, certificates, audits, statuses, links."""

    name = "supplier"
    version = "1.0"

    @transaction(Role.QA)
    def register_supplier(self, ctx: Context, args: RegisterSupplierArgs) -> Value:
        """Add a supplier to the signer org's approved supplier list, status pending."""
        if ctx.get(st.supplier_key(args.supplier)) is not None:
            raise errors.SupplierRejection(errors.DUPLICATE, f"supplier {args.supplier!r} exists")
        sites: list[Value] = [
            {"gln": check_gln(s.gln), "name": s.name, "address": s.address} for s in args.sites
        ]
        record: dict[str, Value] = {
            "supplier": args.supplier,
            "org_id": args.org_id,
            "name": args.name,
            "buyer": ctx.signer.org_id,
            "sites": sites,
            "subsuppliers": [],
            "next_due_ms": None,
            "last_audit_ms": None,
            "registered_ms": ctx.block_time_ms,
        }
        ctx.put(st.supplier_key(args.supplier), record)
        st.append(ctx, args.supplier, None, self._entry(ctx, Status.PENDING, "registered"))
        ctx.emit("supplier.registered", {"supplier": args.supplier, "buyer": ctx.signer.org_id})
        return record

    @transaction(Role.QA)
    def register_material(self, ctx: Context, args: RegisterMaterialArgs) -> Value:
        """Material master with its specification (reference, version, document hash)."""
        if ctx.get(st.material_key(args.material)) is not None:
            raise errors.SupplierRejection(errors.DUPLICATE, f"material {args.material!r} exists")
        record: dict[str, Value] = {
            **args.model_dump(),
            "owner": ctx.signer.org_id,
        }
        ctx.put(st.material_key(args.material), record)
        return record

    @transaction(Role.QA)
    def assign_material(self, ctx: Context, args: AssignMaterialArgs) -> Value:
        """Start qualifying ``supplier`` for ``material``: a pending (supplier, material) record."""
        record = st.load_supplier(ctx, args.supplier)
        _require_buyer(ctx, record)
        material = ctx.get(st.material_key(args.material))
        if not isinstance(material, dict):
            raise errors.SupplierRejection(
                errors.UNKNOWN_MATERIAL, f"no material {args.material!r}"
            )
        if material["owner"] != record["buyer"]:
            raise errors.SupplierRejection(
                errors.NOT_BUYER, f"material {args.material!r} belongs to {material['owner']!r}"
            )
        if ctx.get(st.status_key(args.supplier, args.material)) is not None:
            raise errors.SupplierRejection(
                errors.DUPLICATE, f"{args.material!r} is already assigned to {args.supplier!r}"
            )
        st.materialise(ctx, args.supplier)
        entry = self._entry(ctx, Status.PENDING, "material assigned")
        st.append(ctx, args.supplier, args.material, entry)
        return entry

    @transaction(Role.QA)
    def set_status(self, ctx: Context, args: SetStatusArgs) -> Value:
        """A QA status decision for the supplier or one of its materials (history kept)."""
        record = st.load_supplier(ctx, args.supplier)
        _require_buyer(ctx, record)
        if args.material is not None:
            _require_assigned(ctx, args.supplier, args.material)
        st.materialise(ctx, args.supplier)
        now = ctx.block_time_ms
        current = st.effective(ctx, args.supplier, args.material, now)
        wanted = Status(args.status)
        check_transition(Status.PENDING if current is None else current.status, wanted)
        until_ms = None if args.until is None else to_ms(args.until, end_of_day=True)
        if wanted is Status.CONDITIONAL and (
            args.scope is None or until_ms is None or until_ms <= now
        ):
            raise errors.SupplierRejection(
                errors.CONDITION_REQUIRED,
                "a conditional approval needs a scope and an 'until' after the block time",
            )
        if wanted in USABLE:
            self._check_usable_now(ctx, args.supplier, args.material)
        entry = self._entry(ctx, wanted, args.reason)
        if wanted is Status.CONDITIONAL:
            entry["scope"], entry["until_ms"] = args.scope, until_ms
        st.append(ctx, args.supplier, args.material, entry)
        ctx.emit(
            "supplier.status_changed",
            {"supplier": args.supplier, "material": args.material, **entry},
        )
        return entry

    @transaction(Role.QA, Role.SUPPLIER)
    def submit_certificate(self, ctx: Context, args: CertificateArgs) -> Value:
        """A certificate; the buyer's QA submits verified ones, the supplier unverified ones."""
        record = st.load_supplier(ctx, args.supplier)
        buyer_qa = Role.QA in ctx.signer.roles and ctx.signer.org_id == record["buyer"]
        own = Role.SUPPLIER in ctx.signer.roles and ctx.signer.org_id == record["org_id"]
        if not (buyer_qa or own):
            raise errors.SupplierRejection(
                errors.NOT_SUPPLIER_OR_BUYER,
                f"certificates of {args.supplier!r} come from its buyer's QA or its own org",
            )
        key = st.cert_key(args.supplier, args.certificate)
        if ctx.get(key) is not None:
            raise errors.SupplierRejection(
                errors.DUPLICATE, f"certificate {args.certificate!r} exists"
            )
        valid_from, valid_until = to_ms(args.valid_from), to_ms(args.valid_to, end_of_day=True)
        if valid_until <= valid_from:
            raise errors.SupplierRejection(errors.BAD_DATE, "valid_to must be after valid_from")
        materials = sorted(set(args.materials))
        for material in materials:
            _require_assigned(ctx, args.supplier, material)
        st.materialise(ctx, args.supplier)
        cert: dict[str, Value] = {
            **args.model_dump(exclude={"valid_from", "valid_to", "materials"}),
            "materials": list(materials),
            "valid_from_ms": valid_from,
            "valid_until_ms": valid_until,
            "verified": buyer_qa,
            "submitted_by": ctx.signer.org_id,
            "verified_by": ctx.signer.key_id if buyer_qa else None,
            "recorded_ms": ctx.block_time_ms,
        }
        ctx.put(key, cert)
        ctx.emit(
            "supplier.certificate", {"supplier": args.supplier, "certificate": args.certificate}
        )
        return cert

    @transaction(Role.QA)
    def verify_certificate(self, ctx: Context, args: CertificateRefArgs) -> Value:
        """The buyer's QA checked a supplier-submitted certificate: it now counts."""
        record = st.load_supplier(ctx, args.supplier)
        _require_buyer(ctx, record)
        key = st.cert_key(args.supplier, args.certificate)
        cert = ctx.get(key)
        if not isinstance(cert, dict):
            raise errors.SupplierRejection(
                errors.UNKNOWN_CERTIFICATE, f"no certificate {args.certificate!r}"
            )
        st.materialise(ctx, args.supplier)
        updated: dict[str, Value] = {**cert, "verified": True, "verified_by": ctx.signer.key_id}
        ctx.put(key, updated)
        return updated

    @transaction(Role.QA)
    def record_audit(self, ctx: Context, args: AuditArgs) -> Value:
        """An audit; the latest one sets the requalification due date."""
        record = st.load_supplier(ctx, args.supplier)
        _require_buyer(ctx, record)
        key = f"audit/{args.supplier}{SEP}{args.audit}"
        if ctx.get(key) is not None:
            raise errors.SupplierRejection(errors.DUPLICATE, f"audit {args.audit!r} exists")
        held, due = to_ms(args.date), to_ms(args.next_due)
        if due <= held:
            raise errors.SupplierRejection(errors.BAD_DATE, "next_due must be after the audit date")
        st.materialise(ctx, args.supplier)
        audit: dict[str, Value] = {
            **args.model_dump(exclude={"date", "next_due"}),
            "date_ms": held,
            "next_due_ms": due,
            "recorded_by": ctx.signer.key_id,
        }
        ctx.put(key, audit)
        last = record["last_audit_ms"]
        if last is None or held >= last:
            if record["next_due_ms"] is not None:
                ctx.delete(st.due_key(record["next_due_ms"], args.supplier))
            ctx.put(st.due_key(due, args.supplier), args.supplier)
            ctx.put(
                st.supplier_key(args.supplier),
                {**record, "last_audit_ms": held, "next_due_ms": due},
            )
        return audit

    @transaction(Role.QA)
    def record_agreement(self, ctx: Context, args: AgreementArgs) -> Value:
        """A quality agreement (EU GMP ch. 7) with its document hash."""
        record = st.load_supplier(ctx, args.supplier)
        _require_buyer(ctx, record)
        key = f"agreement/{args.supplier}{SEP}{args.agreement}"
        if ctx.get(key) is not None:
            raise errors.SupplierRejection(errors.DUPLICATE, f"agreement {args.agreement!r} exists")
        signed = to_ms(args.signed)
        until = None if args.valid_to is None else to_ms(args.valid_to, end_of_day=True)
        if until is not None and until <= signed:
            raise errors.SupplierRejection(errors.BAD_DATE, "valid_to must be after signed")
        agreement: dict[str, Value] = {
            "agreement": args.agreement,
            "signed_ms": signed,
            "valid_until_ms": until,
            "document_sha256": args.document_sha256,
        }
        ctx.put(key, agreement)
        return agreement

    @transaction(Role.QA, Role.SUPPLIER)
    def link_subsupplier(self, ctx: Context, args: LinkArgs) -> Value:
        """Declare that ``supplier`` sources from ``subsupplier`` (look-through, ICH Q7 §7)."""
        record = st.load_supplier(ctx, args.supplier)
        if ctx.signer.org_id not in (record["org_id"], record["buyer"]):
            raise errors.SupplierRejection(
                errors.NOT_SUPPLIER_OR_BUYER,
                f"only {args.supplier!r} itself or its buyer may declare its suppliers",
            )
        st.load_supplier(ctx, args.subsupplier)
        if args.subsupplier == args.supplier:
            raise errors.SupplierRejection(errors.SELF_LINK, "a supplier cannot supply itself")
        links = cast(list[str], record["subsuppliers"])
        if args.subsupplier in links:
            raise errors.SupplierRejection(errors.DUPLICATE, "that link exists")
        if reaches(ctx, args.subsupplier, args.supplier):
            raise errors.SupplierRejection(
                errors.CYCLE, f"{args.subsupplier!r} already sources from {args.supplier!r}"
            )
        updated: list[Value] = [*sorted([*links, args.subsupplier])]
        ctx.put(st.supplier_key(args.supplier), {**record, "subsuppliers": updated})
        return updated

    @transaction()
    def sweep_expired(self, ctx: Context, args: SweepArgs) -> Value:
        """Anyone may materialise due automatic suspensions (each with an event)."""
        done: list[Value] = []
        for key, _ in list(ctx.prefix("supplier/", limit=args.limit)):
            done.extend(st.materialise(ctx, key.removeprefix("supplier/")))
        return done

    @query()
    def get_supplier(self, ctx: Context, args: SupplierRef) -> Value:
        """The entry, its effective statuses now, certificates, audits and agreements."""
        record = st.load_supplier(ctx, args.supplier)
        now = ctx.block_time_ms
        materials: dict[str, Value] = {}
        for key, _ in ctx.prefix(f"status/{args.supplier}{SEP}"):
            material = key.split(SEP, 1)[1]
            if material:
                materials[material] = _status_view(st.effective(ctx, args.supplier, material, now))
        return {
            **record,
            "status": _status_view(st.effective(ctx, args.supplier, None, now)),
            "materials": materials,
            "certificates": [v for _, v in ctx.prefix(f"cert/{args.supplier}{SEP}")],
            "audits": [v for _, v in ctx.prefix(f"audit/{args.supplier}{SEP}")],
            "agreements": [v for _, v in ctx.prefix(f"agreement/{args.supplier}{SEP}")],
        }

    @query()
    def status_history(self, ctx: Context, args: HistoryArgs) -> Value:
        """Every recorded status entry, oldest first (who, when, why)."""
        st.load_supplier(ctx, args.supplier)
        return cast(list[Value], st.history(ctx, args.supplier, args.material))

    @query()
    def was_approved(self, ctx: Context, args: WasApprovedArgs) -> Value:
        """Was ``supplier`` approved (or conditionally) for ``material`` at ``at_ms``?

        Answered from the status histories of the supplier and of the (supplier, material)
        approval, with certificate lapses applied, so the answer for a past instant does
        not change when the current status does.
        """
        record = ctx.get(st.supplier_key(args.supplier)) if "|" not in args.supplier else None
        if not isinstance(record, dict):
            return _verdict(False, "unknown", "no such supplier", None)
        buyer = cast(str, record["buyer"])
        if "|" in args.material or ctx.get(st.status_key(args.supplier, args.material)) is None:
            return _verdict(False, "not_assigned", "material not assigned to supplier", buyer)
        statuses: list[Status] = []
        for material in (None, args.material):
            seen = st.effective(ctx, args.supplier, material, args.at_ms)
            level = "supplier" if material is None else "material"
            if seen is None:
                return _verdict(False, "not_registered", f"{level} not yet registered", buyer)
            if seen.status not in USABLE:
                return _verdict(False, seen.status.value, f"{level}: {seen.reason}", buyer)
            statuses.append(seen.status)
        worst = Status.CONDITIONAL if Status.CONDITIONAL in statuses else Status.APPROVED
        return _verdict(True, worst.value, "approved at that time", buyer)

    @query()
    def supplier_tree(self, ctx: Context, args: SupplierRef) -> Value:
        """The look-through tree (4 tiers) with each node's status; non-approved are flagged."""
        st.load_supplier(ctx, args.supplier)
        return build_tree(ctx, args.supplier)

    @query()
    def due_for_requalification(self, ctx: Context, args: DueArgs) -> Value:
        """Suppliers whose next audit falls before ``before``, soonest first."""
        end = f"due/{to_ms(args.before):015d}"
        found: list[Value] = []
        for key, supplier in ctx.range("due/", end, limit=args.limit):
            due = int(key.removeprefix("due/").split(SEP, 1)[0])
            now = st.effective(ctx, cast(str, supplier), None, ctx.block_time_ms)
            found.append({"supplier": supplier, "next_due_ms": due, "status": _status_view(now)})
        return found

    def _check_usable_now(self, ctx: Context, supplier: str, material: str | None) -> None:
        now = ctx.block_time_ms
        gap = first_uncovered(st.coverage(ctx, supplier, material), now)
        if gap is not None:
            raise errors.SupplierRejection(
                errors.CERTIFICATE_NOT_VALID,
                f"required certificate {gap.certificate_id!r} ({gap.group}) is not valid now",
            )
        if material is not None:
            outer = st.effective(ctx, supplier, None, now)
            if outer is None or outer.status not in USABLE:
                raise errors.SupplierRejection(
                    errors.SUPPLIER_NOT_APPROVED,
                    f"approve supplier {supplier!r} itself before any of its materials",
                )

    @staticmethod
    def _entry(ctx: Context, status: Status, reason: str) -> dict[str, Value]:
        return {
            "status": status.value,
            "at_ms": ctx.block_time_ms,
            "recorded_ms": ctx.block_time_ms,
            "by": ctx.signer.key_id,
            "org": ctx.signer.org_id,
            "reason": reason,
        }


def _status_view(seen: st.Effective | None) -> Value:
    if seen is None:
        return None
    return {
        "status": seen.status.value,
        "since_ms": seen.since_ms,
        "reason": seen.reason,
        "scope": seen.scope,
        "until_ms": seen.until_ms,
    }


def _verdict(approved: bool, status: str, reason: str, buyer: str | None) -> Value:
    return {"approved": approved, "status": status, "reason": reason, "buyer": buyer}
