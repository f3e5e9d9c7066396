"""The ``trace`` contract: serialized track-and-trace of drug packs (issue 6 items 6–13).

Each function validates its model, then delegates to the module that owns its rule; the
function list and state layout are documented in docs/trace.md.
"""

from __future__ import annotations

from chaincode.api import Context, Contract, Value, query, transaction
from chaincode.contracts.trace import (
    commissioning,
    custody,
    history,
    holds,
    lifecycle,
    packing,
    products,
    views,
)
from chaincode.contracts.trace.models import (
    AggregateArgs,
    BatchArgs,
    BatchHistoryArgs,
    CodeArgs,
    CodesArgs,
    CommissionArgs,
    ContainerArgs,
    DecommissionArgs,
    DisaggregateArgs,
    DispenseArgs,
    HoldArgs,
    PageArgs,
    RecallArgs,
    ReceiveArgs,
    RegisterProductArgs,
    ReturnArgs,
    ShipArgs,
)
from sdk.roles import Role

CUSTODIANS = (Role.MANUFACTURER, Role.DISTRIBUTOR, Role.LOGISTICS, Role.PHARMACY, Role.HOSPITAL)
PACKERS = (Role.MANUFACTURER, Role.DISTRIBUTOR, Role.LOGISTICS)
DISPENSERS = (Role.PHARMACY, Role.HOSPITAL)


class TraceContract(Contract):
    """Products, codes, aggregation, custody, dispensing, recall and the public verify."""

    name = "trace"
    version = "1.0.0"

    @transaction(Role.MANUFACTURER)
    def register_product(self, ctx: Context, args: RegisterProductArgs) -> Value:
        """Register or update product master data (the MAH's MANUFACTURER only)."""
        return products.register_product(ctx, args)

    @transaction(Role.MANUFACTURER)
    def commission(self, ctx: Context, args: CommissionArgs) -> Value:
        """Commission codes of one batch, all or none (GS1 EPCIS commissioning ADD)."""
        return commissioning.commission(ctx, args)

    @transaction(*PACKERS)
    def commission_containers(self, ctx: Context, args: ContainerArgs) -> Value:
        """Commission SSCC logistic units (no product, no batch)."""
        return commissioning.commission_containers(ctx, args)

    @transaction(*PACKERS)
    def aggregate(self, ctx: Context, args: AggregateArgs) -> Value:
        """Pack children into a case or pallet."""
        return packing.aggregate(ctx, args)

    @transaction(*CUSTODIANS)
    def disaggregate(self, ctx: Context, args: DisaggregateArgs) -> Value:
        """Unpack some or all children of a parent."""
        return packing.disaggregate(ctx, args)

    @transaction(*PACKERS)
    def repack(self, ctx: Context, args: AggregateArgs) -> Value:
        """Move children from their current parents into another parent."""
        return packing.repack(ctx, args)

    @transaction(*CUSTODIANS)
    def ship(self, ctx: Context, args: ShipArgs) -> Value:
        """Ship codes (with everything packed in them) to another org."""
        return custody.ship(ctx, args)

    @transaction(*CUSTODIANS)
    def receive(self, ctx: Context, args: ReceiveArgs) -> Value:
        """Take ownership of codes shipped to the signer's org."""
        return custody.receive(ctx, args)

    @transaction(*DISPENSERS)
    def dispense(self, ctx: Context, args: DispenseArgs) -> Value:
        """Dispense once; an unsafe or repeated dispense commits an alert instead."""
        return lifecycle.dispense(ctx, args)

    @transaction(*DISPENSERS)
    def return_dispense(self, ctx: Context, args: ReturnArgs) -> Value:
        """Reverse a sale within the return window."""
        return lifecycle.return_dispense(ctx, args)

    @transaction(*CUSTODIANS)
    def decommission(self, ctx: Context, args: DecommissionArgs) -> Value:
        """Decommission codes with an EU FMD reason."""
        return lifecycle.decommission(ctx, args)

    @transaction(*CUSTODIANS)
    def undo_decommission(self, ctx: Context, args: CodesArgs) -> Value:
        """Undo a decommission within 10 days (same org; not destroyed, stolen, recalled)."""
        return lifecycle.undo_decommission(ctx, args)

    @transaction(Role.MANUFACTURER, Role.REGULATOR)
    def recall(self, ctx: Context, args: RecallArgs) -> Value:
        """Recall a batch: one write; returns the orgs holding its codes."""
        return holds.recall(ctx, args)

    @transaction()
    def suspect(self, ctx: Context, args: HoldArgs) -> Value:
        """Mark codes suspect (QA, REGULATOR, the owner, or the coldchain contract)."""
        return holds.suspect(ctx, args)

    @transaction()
    def quarantine(self, ctx: Context, args: HoldArgs) -> Value:
        """Quarantine codes (QA, REGULATOR, the owner, or the coldchain contract)."""
        return holds.quarantine(ctx, args)

    @transaction()
    def release_quarantine(self, ctx: Context, args: HoldArgs) -> Value:
        """Lift a suspect or quarantine hold (a regulator's hold needs a regulator)."""
        return holds.release_quarantine(ctx, args)

    @query()
    def verify(self, ctx: Context, args: CodeArgs) -> Value:
        """Public verification of a scanned code (DSCSA-style answer)."""
        return views.verify(ctx, args)

    @query()
    def history(self, ctx: Context, args: CodeArgs) -> Value:
        """Every event of a code, and of its parents while it was inside, in ledger order."""
        return history.history(ctx, args)

    @query(Role.REGULATOR, Role.MANUFACTURER)
    def batch_history(self, ctx: Context, args: BatchHistoryArgs) -> Value:
        """Events of a batch, paginated (regulators and the batch's MAH)."""
        return history.batch_history(ctx, args)

    @query(Role.REGULATOR, Role.MANUFACTURER)
    def batch_status(self, ctx: Context, args: BatchArgs) -> Value:
        """Batch binding, recall notice, holders and release status."""
        return history.batch_status(ctx, args)

    @query(Role.REGULATOR)
    def alerts(self, ctx: Context, args: PageArgs) -> Value:
        """Every alert, paginated, in ledger order."""
        return history.alerts(ctx, args)
