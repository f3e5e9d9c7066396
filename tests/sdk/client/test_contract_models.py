"""The typed helpers cover every built-in contract function, with arguments shaped exactly
like the contract's own pydantic models (names, types, literals, required-ness; value
constraints such as patterns stay the contract's job), and route writes and reads right.

The sdk may not import chaincode (tests/architecture), so the helpers declare TypedDicts;
this test is what keeps them from drifting.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin, is_typeddict

import pytest
from pydantic import BaseModel

from chaincode.api import Contract
from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.config import ConfigContract
from chaincode.contracts.msp import MspContract
from chaincode.contracts.release import ReleaseContract
from chaincode.contracts.supplier import SupplierContract
from chaincode.contracts.trace import TraceContract
from sdk.client.contracts import (
    ColdChainApi,
    ConfigApi,
    ContractApi,
    MspApi,
    ReleaseApi,
    SupplierApi,
    TraceApi,
)
from sdk.client.contracts import config as config_helpers
from tests.sdk.client import probe_types

PAIRS: list[tuple[type[Contract], type[ContractApi[Any, Any]]]] = [
    (TraceContract, TraceApi),
    (SupplierContract, SupplierApi),
    (ColdChainContract, ColdChainApi),
    (ReleaseContract, ReleaseApi),
    (MspContract, MspApi),
    (ConfigContract, ConfigApi),
]
GOVERNANCE_ONLY = {
    "add_org": config_helpers.AddOrg,
    "remove_org": config_helpers.RemoveOrg,
    "set_org_ca": config_helpers.SetOrgCa,
    "add_node": config_helpers.AddNode,
    "promote_node": config_helpers.PromoteNode,
    "remove_node": config_helpers.RemoveNode,
}
"""msp functions only the config contract may call: reached through ``config.propose``."""


def shape(tp: Any) -> Any:
    """A comparable description of a type, from a pydantic annotation or a TypedDict hint."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return shape(args[0])
    if tp is type(None):
        return "null"
    if tp in (str, int, bool):
        return tp.__name__
    if origin is Literal:
        return ("enum", frozenset(args))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return ("enum", frozenset(member.value for member in tp))
    if origin in (Union, types.UnionType):
        return ("union", frozenset(shape(arg) for arg in args))
    if origin is list:
        return ("list", shape(args[0]))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return ("object", frozenset(_model_fields(tp)))
    if is_typeddict(tp):
        return ("object", frozenset(_typeddict_fields(tp)))
    raise TypeError(f"no shape for {tp!r}")


def _discriminator(name: str, tp: Any) -> bool:
    """``kind`` picks a union member, so it must be given even where the model defaults it."""
    return name == "kind" and get_origin(tp) is Literal


def _model_fields(model: type[BaseModel]) -> list[tuple[str, Any, bool]]:
    return [
        (name, shape(info.annotation), info.is_required() or _discriminator(name, info.annotation))
        for name, info in model.model_fields.items()
    ]


def _typeddict_fields(td: Any) -> list[tuple[str, Any, bool]]:
    hints = typing.get_type_hints(td)
    return [
        (name, shape(hint), name in td.__required_keys__ or _discriminator(name, hint))
        for name, hint in hints.items()
    ]


def helper_args(method: Any) -> Any:
    annotation = inspect.signature(method).parameters["args"].annotation
    assert get_origin(annotation) is typing.Unpack, f"{method.__qualname__} takes **args"
    return get_args(annotation)[0]


def helpers(api: type[ContractApi[Any, Any]]) -> dict[str, Any]:
    return {
        name: member
        for name, member in vars(api).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(("contract", "api"), PAIRS, ids=[c.name for c, _ in PAIRS])
def test_every_function_has_a_helper_and_nothing_else(
    contract: type[Contract], api: type[ContractApi[Any, Any]]
) -> None:
    assert api.contract == contract.name
    expected = set(contract.functions) - (set(GOVERNANCE_ONLY) if contract.name == "msp" else set())
    assert set(helpers(api)) == expected


@pytest.mark.parametrize(("contract", "api"), PAIRS, ids=[c.name for c, _ in PAIRS])
def test_helper_arguments_match_the_contract_models(
    contract: type[Contract], api: type[ContractApi[Any, Any]]
) -> None:
    for name, method in helpers(api).items():
        model = contract.functions[name].args
        assert shape(helper_args(method)) == shape(model), f"{contract.name}.{name}"


def test_governance_changes_match_the_msp_functions_they_reach() -> None:
    for name, change in GOVERNANCE_ONLY.items():
        assert shape(change) == shape(MspContract.functions[name].args), name


def test_the_shape_comparison_sees_differences() -> None:
    class Model(BaseModel):
        a: str
        b: int | None = None

    assert shape(probe_types.Same) == shape(Model)
    assert shape(probe_types.Renamed) != shape(Model)
    assert shape(probe_types.Required) != shape(Model)
    assert shape(probe_types.Retyped) != shape(Model)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, Mapping[str, Any] | None]] = []

    def invoke(self, contract: str, function: str, args: Mapping[str, Any] | None = None) -> str:
        self.calls.append(("transaction", contract, function, args))
        return "committed"

    def query(self, contract: str, function: str, args: Mapping[str, Any] | None = None) -> str:
        self.calls.append(("query", contract, function, args))
        return "answer"


@pytest.mark.parametrize(("contract", "api"), PAIRS, ids=[c.name for c, _ in PAIRS])
def test_helpers_route_writes_and_reads(
    contract: type[Contract], api: type[ContractApi[Any, Any]]
) -> None:
    recorder = Recorder()
    bound = api(recorder)
    for name in helpers(api):
        answer = getattr(bound, name)(probe=name)
        kind = "query" if contract.functions[name].read_only else "transaction"
        assert recorder.calls[-1] == (kind, contract.name, name, {"probe": name})
        assert answer == ("answer" if kind == "query" else "committed")
