"""The contract registry: routing, argument validation, role checks and pinning.

One registry per node, built from the network config. Contracts are found through the
``rxledger.contracts`` entry-point group so a third-party package can ship its own; the
config pins each contract's name, version and code hash, and a node refuses to execute with
anything else (DESIGN.md, Contracts).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chaincode.api import Contract, FunctionSpec, Value
from chaincode.context import MAX_CALL_DEPTH, TxContext, missing_role
from chaincode.errors import (
    ContractDefinitionError,
    ContractPinMismatch,
    InvalidArguments,
    InvalidTransaction,
    ReadOnlyViolation,
    UnknownContract,
    UnknownFunction,
)
from chaincode.layers import Layer

ENTRY_POINT_GROUP = "rxledger.contracts"


@dataclass(frozen=True, slots=True)
class ContractPin:
    """What the network config says a contract must be."""

    name: str
    version: str
    code_hash: str


def code_hash(contract: type[Contract]) -> str:
    """SHA-256 over the source files of the folder that defines the contract.

    Each contract lives in a folder of its own; the hash covers every ``.py`` file there
    (relative path and bytes, sorted by path), so any edit to the contract's code changes it.
    """
    module_file = inspect.getsourcefile(contract)
    if module_file is None:
        raise ContractDefinitionError(f"{contract.__name__}: no source file to hash")
    folder = Path(module_file).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(folder).as_posix().encode("utf-8")
        content = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def discover(group: str = ENTRY_POINT_GROUP) -> dict[str, type[Contract]]:
    """Contract classes advertised by installed packages, by contract name."""
    found: dict[str, type[Contract]] = {}
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        loaded = ep.load()
        if not (isinstance(loaded, type) and issubclass(loaded, Contract)):
            raise ContractDefinitionError(f"entry point {ep.name!r} is not a Contract subclass")
        if loaded.name in found:
            raise ContractDefinitionError(f"two packages provide contract {loaded.name!r}")
        found[loaded.name] = loaded
    return found


class ContractRegistry:
    """Registered contract instances, by name."""

    def __init__(self, contracts: Iterable[Contract] = ()) -> None:
        self._contracts: dict[str, Contract] = {}
        for contract in contracts:
            self.register(contract)

    def register(self, contract: Contract) -> None:
        cls = type(contract)
        name = getattr(cls, "name", None)
        if (
            not isinstance(name, str)
            or not name
            or not isinstance(getattr(cls, "version", None), str)
        ):
            raise ContractDefinitionError(
                f"{cls.__name__} must set class attributes name and version"
            )
        if name in self._contracts:
            raise ContractDefinitionError(f"contract {name!r} is registered twice")
        self._contracts[name] = contract

    def names(self) -> list[str]:
        return sorted(self._contracts)

    def contract(self, name: str) -> Contract:
        try:
            return self._contracts[name]
        except KeyError:
            raise UnknownContract(
                f"no contract named {name!r}; installed: {', '.join(self.names()) or 'none'}"
            ) from None

    def spec(self, contract: str, function: str) -> FunctionSpec:
        functions = type(self.contract(contract)).functions
        try:
            return functions[function]
        except KeyError:
            raise UnknownFunction(
                f"contract {contract!r} has no function {function!r}; "
                f"it has: {', '.join(sorted(functions))}"
            ) from None

    def check_pins(self, pins: Iterable[ContractPin]) -> None:
        """Refuse to run unless every pinned contract is installed with that version and hash."""
        for pin in pins:
            try:
                cls = type(self._contracts[pin.name])
            except KeyError:
                raise ContractPinMismatch(
                    f"pinned contract {pin.name!r} is not installed"
                ) from None
            actual = code_hash(cls)
            if cls.version != pin.version or actual != pin.code_hash:
                raise ContractPinMismatch(
                    f"contract {pin.name!r}: network pins version {pin.version} hash "
                    f"{pin.code_hash[:12]}…, this node has {cls.version} hash {actual[:12]}…; "
                    "install the pinned release or enable this one through governance"
                )

    def invoke(self, ctx: TxContext, function: str, args: Mapping[str, Any]) -> Value:
        """Validate, check roles and run ``function`` of ``ctx.contract`` in ``ctx``."""
        spec = self.spec(ctx.contract, function)
        if ctx.read_only and not spec.read_only:
            raise ReadOnlyViolation(f"{ctx.contract}.{function} writes; it cannot run in a query")
        model = _validate(spec, ctx.contract, args)
        if not ctx.signer.has_any(spec.roles):
            raise missing_role(f"{ctx.contract}.{function}", ctx.signer, spec.roles)
        return spec.handler(self.contract(ctx.contract), ctx, model)

    def call_nested(
        self, caller: TxContext, contract: str, function: str, args: Mapping[str, Any]
    ) -> Value:
        if caller.depth >= MAX_CALL_DEPTH:
            raise InvalidTransaction(
                f"contract calls nested deeper than {MAX_CALL_DEPTH}", code="contract.call_depth"
            )
        spec = self.spec(contract, function)
        layer = Layer(caller.layer)
        child = caller.child(contract=contract, layer=layer, read_only=spec.read_only)
        result = self.invoke(child, function, args)
        layer.fold_into(caller.layer)
        caller.events.extend(child.events)
        return result


def _validate(spec: FunctionSpec, contract: str, args: Mapping[str, Any]) -> Any:
    if not isinstance(args, Mapping):
        raise InvalidArguments(
            f"{contract}.{spec.name}: arguments must be a map of names to values"
        )
    try:
        return spec.args.model_validate(dict(args))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(args)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise InvalidArguments(f"{contract}.{spec.name}: {problems}") from exc
