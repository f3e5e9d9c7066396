"""docs/cli.md's walk-through, run as written: every ``sh walkthrough`` block, in order.

Each command is a real ``rxl`` process started by bash from one folder, against a real
four-node network the walk-through itself creates (``rxl network init`` … ``down``). The
doc's placeholders ``$DIR`` and ``$BASE_PORT`` are set here to a folder in ``tmp_path`` and
a free port range. A command ends with ``# exit N: TEXT`` when the doc says it fails: then
it must exit N and print TEXT; every other command must exit 0.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.network.local_support import free_base_ports

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
FENCE = re.compile(r"^```sh walkthrough[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
EXPECTED = re.compile(r"#\s*exit (\d+)(?::\s*(.+?))?\s*$")
STEP_TIMEOUT_S = 60.0
"""Long enough for ``network up`` (it waits for a leader itself) on a loaded machine."""
PLACEHOLDERS = ("DIR", "BASE_PORT")
# What a user's shell may hold that would point the walk-through elsewhere.
FOREIGN_ENV = (
    "RXL_PROFILE",
    "RXL_NODES",
    "RXL_KEY",
    "RXL_CERT",
    "RXL_CA",
    "RXL_KEY_PASSPHRASE",
)


@dataclass(frozen=True, slots=True)
class Step:
    """One shell command of the walk-through, possibly over several lines."""

    command: str
    exit_code: int = 0
    says: str | None = None
    """Text the output must contain, from ``# exit N: TEXT``."""


def walkthrough_steps(markdown: str) -> list[Step]:
    """The commands of every ``sh walkthrough`` block, in document order.

    A command continues over the next lines while a quote is open or its line ends with a
    backslash, as in a shell; blank and comment-only lines between commands are skipped."""
    return [step for block in FENCE.findall(markdown) for step in _block_steps(block)]


def _block_steps(block: str) -> Iterator[Step]:
    pending: list[str] = []
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        if _open_quote(text) or line.rstrip().endswith("\\"):
            continue
        pending = []
        yield _step(text)
    if pending:
        raise ValueError(f"unterminated command in a walk-through block: {pending[0]!r}")


def _open_quote(text: str) -> bool:
    """Whether ``text`` ends inside a quoted string (single, double; backslash escapes)."""
    quote: str | None = None
    escaped = False
    previous = "\n"
    for char in text:
        at_word_start, previous = previous.isspace(), char
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        elif quote is None and char == "#" and at_word_start:
            return False  # a comment runs to the end of the line; commands here end there
    return quote is not None


def _step(command: str) -> Step:
    last = command.splitlines()[-1]
    found = EXPECTED.search(last)
    if found is None:
        return Step(command)
    return Step(command, int(found.group(1)), found.group(2))


def _environment(work: Path, base_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
        RXL_CONFIG_DIR=str(work / "config"),
        DIR=str(work / "net"),
        BASE_PORT=str(base_port),
        COLUMNS="120",
        NO_COLOR="1",
    )
    return env


def _run(step: Step, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", step.command],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )


# --- the extractor -------------------------------------------------------------------------


def test_steps_join_continued_lines_and_read_expected_exits() -> None:
    markdown = (
        "```sh walkthrough\n"
        "# a comment line\n"
        'rxl a --args \'{"x": 1,\n'
        '  "y": 2}\'\n'
        "\n"
        'rxl b "it\'s" \\\n'
        "    --c   # exit 1: some.code\n"
        "```\n"
        "```sh\n"
        "rxl not-run\n"
        "```\n"
        "```sh walkthrough\n"
        "rxl d   # exit 3\n"
        "```\n"
    )
    assert walkthrough_steps(markdown) == [
        Step('rxl a --args \'{"x": 1,\n  "y": 2}\''),
        Step('rxl b "it\'s" \\\n    --c   # exit 1: some.code', 1, "some.code"),
        Step("rxl d   # exit 3", 3, None),
    ]


def test_an_unterminated_command_is_an_error() -> None:
    with pytest.raises(ValueError, match="unterminated"):
        walkthrough_steps("```sh walkthrough\nrxl a --args '{\n```\n")


def test_the_doc_walks_from_init_to_an_audit_export_and_stops_the_network() -> None:
    steps = walkthrough_steps(CLI_DOC.read_text(encoding="utf-8"))
    commands = [step.command for step in steps]
    assert commands[0].startswith('rxl network init --dir "$DIR" --base-port "$BASE_PORT"')
    assert commands[-1].startswith('rxl network down --dir "$DIR"')
    assert any(c.startswith("rxl audit batch") for c in commands)
    assert all(c.startswith("rxl ") for c in commands), commands
    used = {name for c in commands for name in re.findall(r"\$(\w+)", c)}
    assert used <= set(PLACEHOLDERS), f"the test does not set {used - set(PLACEHOLDERS)}"


# --- the walk-through itself -----------------------------------------------------------------


@pytest.mark.e2e
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    steps = walkthrough_steps(CLI_DOC.read_text(encoding="utf-8"))
    base_port, _ = free_base_ports(4, peer_offset=100)
    env = _environment(tmp_path, base_port)
    try:
        for number, step in enumerate(steps, start=1):
            done = _run(step, tmp_path, env)
            output = done.stdout + done.stderr
            assert done.returncode == step.exit_code, (
                f"step {number} exited {done.returncode}, the doc says {step.exit_code}:\n"
                f"$ {step.command}\n{output}"
            )
            if step.says is not None:
                assert step.says in output, f"step {number} should say {step.says!r}:\n{output}"
    finally:
        if (tmp_path / "net").exists():
            down = 'rxl network down --dir "$DIR" --grace 2'
            subprocess.run(["bash", "-c", down], cwd=tmp_path, env=env, check=False, timeout=30)
    _assert_exports_hold_the_story(tmp_path)


def _assert_exports_hold_the_story(work: Path) -> None:
    """What section 5 says the files hold."""
    with (work / "batch-L1.csv").open(newline="", encoding="utf-8") as rows:
        events = [row["event"] for row in csv.DictReader(rows)]
    assert events == ["commissioned", "shipped", "received", "dispensed"]
    document = json.loads((work / "S1.epcis.json").read_text(encoding="utf-8"))
    assert document["type"] == "EPCISDocument"
    assert len(document["epcisBody"]["eventList"]) == 4
