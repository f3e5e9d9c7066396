"""Wheelhouse pins: the image gets the venv's versions, and builds the project itself."""

from __future__ import annotations

from network.docker.wheelhouse import pins


def test_pins_keep_exact_versions_and_drop_the_project() -> None:
    frozen = "\n".join(
        [
            "fastapi==0.165.0",
            "rxledger==0.1.0",
            "-e git+https://example.invalid/x#egg=x",
            "lmdb==1.8.1",
            "local @ file:///tmp/local",
        ]
    )

    assert pins(frozen) == "fastapi==0.165.0\nlmdb==1.8.1\n"
