"""The code → status table, codes of exceptions, the limits and the rate bucket."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from chaincode.errors import (
    Conflict,
    ContractDefinitionError,
    ContractPinMismatch,
    InvalidTransaction,
    PermissionDenied,
    ReadOnlyViolation,
)
from node.api import ApiLimits, status_for_code
from node.api.errors import code_of, message_of
from node.api.limits import RateLimiter
from node.api.metrics import ApiMetrics
from node.config import Limits
from node.errors import AdmissionRejected, DuplicateTransaction, NoLeader, WaitTimeout
from tests.node.api.conftest import VirtualClock


class _Probe(BaseModel):
    n: int


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("request.invalid_json", 400),
        ("request.too_large", 413),
        ("request.too_many_transactions", 413),
        ("request.unsupported_media_type", 415),
        ("identity.unknown_signer", 401),
        ("signer.unknown", 401),
        ("signature.invalid", 401),
        ("signer.revoked", 403),
        ("permission.denied", 403),
        ("tx.not_found", 404),
        ("contract.unknown", 404),
        ("tx.duplicate", 409),
        ("state.conflict", 409),
        ("tx.malformed", 400),
        ("contract.invalid_arguments", 400),
        ("trace.already_dispensed", 422),
        ("api.rate_limited", 429),
        ("node.no_leader", 503),
        ("node.overloaded", 503),
        ("node.something_new", 503),
        ("tx.wait_timeout", 504),
        ("internal", 500),
    ],
)
def test_status_for_code(code: str, status: int) -> None:
    assert status_for_code(code) == status


def test_codes_come_from_the_exception_class_or_attribute() -> None:
    assert code_of(NoLeader("x")) == "node.no_leader"
    assert code_of(DuplicateTransaction("x")) == "tx.duplicate"
    assert code_of(WaitTimeout("x")) == "tx.wait_timeout"
    assert code_of(AdmissionRejected("bad sig", code="signature.invalid")) == "signature.invalid"
    assert code_of(PermissionDenied("no")) == "permission.denied"
    assert code_of(Conflict("dup", code="trace.already_dispensed")) == "trace.already_dispensed"
    assert code_of(InvalidTransaction("x")) == "tx.invalid"
    assert code_of(ReadOnlyViolation("wrote")) == "contract.read_only"
    assert code_of(ContractPinMismatch("hash")) == "contract.pin_mismatch"
    assert code_of(ContractDefinitionError("bad")) == "internal"


def test_foreign_exceptions_with_a_code_attribute_are_bugs() -> None:
    class Foreign(Exception):
        code = "tx.duplicate"

    Foreign.__module__ = "somelib.errors"
    assert code_of(Foreign()) is None
    assert code_of(RuntimeError("x")) is None
    with pytest.raises(ValidationError) as info:
        _Probe.model_validate({"n": "x"})
    assert code_of(info.value) is None


def test_message_prefers_the_message_attribute() -> None:
    assert message_of(NoLeader("election running")) == "election running"
    assert message_of(ValueError()) == "ValueError"


def test_limits_validate_and_follow_the_node_config() -> None:
    with pytest.raises(ValueError, match="default_page_limit"):
        ApiLimits(default_page_limit=5000)
    with pytest.raises(ValueError, match="keepalive_s"):
        ApiLimits(keepalive_s=0)
    with pytest.raises(ValueError, match="default_wait_s"):
        ApiLimits(default_wait_s=60.0, max_wait_s=30.0)
    limits = ApiLimits.from_config(Limits(max_body_bytes=2048, max_batch=3, wait_timeout_s=5.0))
    assert (limits.max_body_bytes, limits.max_batch, limits.max_wait_s) == (2048, 3, 5.0)
    assert limits.default_wait_s == 5.0


def test_rate_limiter_forgets_the_least_recent_client_first() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(
        ApiLimits(rate_per_second=1.0, rate_burst=1, max_tracked_clients=2), clock
    )
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == pytest.approx(1.0)
    limiter.acquire("b")
    limiter.acquire("c")  # evicts "a", whose bucket was empty
    assert limiter.acquire("a") == 0.0


def test_disabled_rate_limit_never_refuses() -> None:
    limiter = RateLimiter(ApiLimits(rate_per_second=0.0, rate_burst=1), VirtualClock())
    assert [limiter.acquire("a") for _ in range(50)] == [0.0] * 50


def test_metric_labels_are_escaped() -> None:
    metrics = ApiMetrics()
    metrics.observe_error('we"ird\\code\n')
    assert 'rxl_api_errors_total{code="we\\"ird\\\\code\\n"} 1' in metrics.render()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("encoding.trailing_bytes", 400),
        ("encoding.duplicate_key", 400),
        ("key.invalid", 400),
        ("block.malformed", 400),
        ("proof.invalid", 400),
        ("tx.too_large", 413),
    ],
)
def test_format_errors_are_client_errors(code: str, status: int) -> None:
    assert status_for_code(code) == status
