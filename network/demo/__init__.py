"""Seed a local network with a realistic demo (issue 9, `make run`).

    from network.demo import seed

    report = seed(Path(".rxl/network"), progress=print)

signs, as the preset members of ``rxl network init`` (empty passphrase by default, i.e.
``--insecure-dev-keys``), every step of one supply chain: an API supplier qualified by QA;
a refrigerated product, pack and case, registered; two lots with batch record, computed CoA
and QP release; serialised packs and cases commissioned and packed onto a pallet; the pallet
shipped to the distributor with a device-signed logger record; a case shipped on to the
pharmacy; a pack dispensed; the other lot recalled. Running it again on a seeded network
submits nothing and answers ``already_seeded``.

Modules: ``catalog`` (the world and the arguments), ``story`` (the steps, over any ledger),
``api`` (the node API), ``errors``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from network.demo.api import ApiLedger
from network.demo.catalog import DemoCalendar, DemoWorld
from network.demo.errors import (
    DemoError,
    DemoNodeError,
    DemoPartlySeeded,
    DemoRefused,
    DemoSetupError,
)
from network.demo.story import ColdChainSummary, SeedReport, Story
from sdk.keys import SigningKey

__all__ = [
    "ApiLedger",
    "ColdChainSummary",
    "DemoCalendar",
    "DemoError",
    "DemoNodeError",
    "DemoPartlySeeded",
    "DemoRefused",
    "DemoSetupError",
    "DemoWorld",
    "SeedReport",
    "seed",
]


def seed(
    directory: Path,
    *,
    passphrase: str = "",
    progress: Callable[[str], None] | None = None,
    deadline_s: float = 60.0,
) -> SeedReport:
    """Seed the running network of the consortium in ``directory`` (or find it seeded).

    A fresh logger key is generated for the cold-chain step and registered on the ledger;
    only its public key is kept (in the ledger). ``deadline_s`` bounds each request,
    retries included.
    """
    with ApiLedger(directory, passphrase=passphrase, deadline_s=deadline_s) as ledger:
        story = Story(
            ledger,
            DemoWorld(DemoCalendar.now()),
            device_key=SigningKey.generate(),
            clock=lambda: DemoCalendar.now().now_ms,
            say=progress or (lambda _message: None),
        )
        try:
            return story.tell()
        except DemoPartlySeeded as exc:
            raise DemoPartlySeeded(
                f"{exc}: `rxl network wipe --dir {directory} --yes`, then `rxl demo run --dir "
                f"{directory}` (or `rxl network up --dir {directory} && rxl demo seed --dir "
                f"{directory}`)"
            ) from exc
