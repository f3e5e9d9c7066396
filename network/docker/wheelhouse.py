"""The wheelhouse: the project and every dependency as wheels, built on the host.

The image build installs from it with ``pip --no-index``, so nothing is downloaded inside
docker. Versions are pinned to the ones installed in the project's venv (``pip freeze``), so
the image runs exactly what the tests ran with.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from network.docker.shell import Shell

PROJECT = "rxledger"


def build_wheelhouse(shell: Shell, project: Path, wheelhouse: Path, *, python: Path) -> list[Path]:
    """Fill ``wheelhouse`` (emptied first, so no stale version is picked) and list it."""
    if wheelhouse.exists():
        shutil.rmtree(wheelhouse)
    wheelhouse.mkdir(parents=True)
    frozen = shell.output([str(python), "-m", "pip", "freeze", "--exclude-editable"])
    with tempfile.TemporaryDirectory(prefix="rxl-wheelhouse-") as work:
        constraints = Path(work) / "constraints.txt"
        constraints.write_text(pins(frozen), encoding="utf-8")
        shell.run(
            [
                str(python),
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
                "--constraint",
                str(constraints),
                "--wheel-dir",
                str(wheelhouse),
                str(project),
            ],
            timeout=900,
        )
    return sorted(wheelhouse.glob("*.whl"))


def pins(frozen: str) -> str:
    """``name==version`` lines of ``pip freeze`` output, without the project itself."""
    kept = [
        line
        for line in frozen.splitlines()
        if "==" in line and not line.lower().startswith(f"{PROJECT}==")
    ]
    return "\n".join(kept) + "\n"
