"""The sdk error tree: one documented tree, one stable dotted code per class."""

from __future__ import annotations

import inspect
import re

from sdk import errors

CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.SdkError) and cls.__module__ == errors.__name__
]


def test_every_error_has_a_unique_dotted_code() -> None:
    codes = [cls.code for cls in CLASSES]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", code), code
    assert "code" in vars(errors.SdkError)


def test_the_docstring_tree_lists_every_class_with_its_code() -> None:
    tree = errors.__doc__ or ""
    for cls in CLASSES:
        line = next((line for line in tree.splitlines() if f" {cls.__name__} " in line), "")
        assert cls.code in line, f"{cls.__name__} missing or with another code in the tree"


def test_errors_carry_message_and_code() -> None:
    error = errors.TxTooLarge("too big")
    assert (error.code, error.message, str(error)) == ("tx.too_large", "too big", "too big")
    assert "tx.too_large" in repr(error)
    assert isinstance(error, errors.TxError)
    assert isinstance(errors.WrongPassphrase("x"), errors.KeyFileError)
    assert isinstance(errors.FloatNotAllowed("x"), errors.EncodingError)
