"""The demo's identifiers and documents are valid on their own terms: GS1 check digits,
codes that parse back to their keys, serials of the GS1 character set, a logger record
that stays in range and verifies under the logger's key."""

from __future__ import annotations

from datetime import date

from network.demo import catalog
from network.demo.catalog import DemoCalendar, DemoWorld
from sdk.codes import CS82, has_valid_check_digit, parse_code
from sdk.encoding import encode
from sdk.keys import Domain, Signature, SigningKey

WORLD = DemoWorld(DemoCalendar(date(2026, 3, 9), 1_773_057_600_000))


def test_every_gs1_key_has_a_valid_check_digit() -> None:
    keys = [
        catalog.ITEM_GTIN,
        catalog.CASE_GTIN,
        catalog.PALLET_SSCC,
        catalog.PLANT_GLN,
        catalog.WAREHOUSE_GLN,
        catalog.PHARMACY_GLN,
    ]
    assert all(has_valid_check_digit(k) for k in keys), keys
    assert [len(k) for k in keys] == [14, 14, 18, 13, 13, 13]


def test_printed_codes_parse_back_to_their_keys_lots_and_expiry() -> None:
    for lot in WORLD.lots:
        for code in [*lot.packs, lot.case]:
            parsed = parse_code(code.hri, reference_year=2026)
            assert parsed.key == code.key
            assert parsed.lot == lot.lot
            assert parsed.expiry == date(2028, 3, 8)
    assert WORLD.dispensed_pack.key.startswith(f"sgtin:{catalog.ITEM_GTIN}.")
    assert WORLD.shipped.case.key.startswith(f"sgtin:{catalog.CASE_GTIN}.")


def test_serials_are_stable_unique_and_of_the_gs1_character_set() -> None:
    every = [s for lot in catalog.LOTS for s in catalog.serials(lot, catalog.PACKS_PER_CASE)]
    every += [catalog.serials(lot, 1, kind="case")[0] for lot in catalog.LOTS]
    assert len(set(every)) == len(every)
    assert all(len(s) == catalog.SERIAL_LENGTH and set(s) <= CS82 for s in every)
    assert catalog.serials(catalog.LOT_SHIPPED, 2) == catalog.serials(catalog.LOT_SHIPPED, 2)


def test_the_journey_stays_inside_the_profile_and_its_pre_alarms() -> None:
    values = catalog.journey_values()
    profile = catalog.leg_args(WORLD)["profile"]
    assert len(values) == catalog.JOURNEY_READINGS
    assert profile["pre_alarm_low_centi_c"] <= min(values)
    assert max(values) <= profile["pre_alarm_high_centi_c"]
    assert profile["pre_alarm_high_centi_c"] < profile["max_centi_c"]


def test_the_reading_batch_is_signed_by_the_logger_and_ends_before_now() -> None:
    key = SigningKey.from_seed(bytes(range(32)))
    args = catalog.readings_args(WORLD.calendar, key)
    end_ms = args["start_ms"] + len(args["values"]) * args["interval_ms"]
    assert end_ms <= WORLD.calendar.now_ms
    payload = encode(
        [
            "rxledger.coldchain.readings.v1",
            args["leg"],
            args["device"],
            args["start_ms"],
            args["interval_ms"],
            args["values"],
        ]
    )
    signature = Signature(key.public_key.algorithm, bytes.fromhex(args["signature"]))
    key.public_key.verify(Domain.DEVICE_READING, payload, signature)
    assert catalog.logger_args(WORLD.calendar, key)["public_key"] == key.public_key.raw.hex()
