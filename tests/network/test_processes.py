from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.processes import (
    PidRecord,
    is_alive,
    read_pid,
    running_node,
    stop_all,
    wait_exit,
    write_pid,
)

PAUSE = "import signal, sys; {setup}print('ready', flush=True); signal.pause()"


def _child(tmp_path: Path, *, ignore_term: bool = False) -> subprocess.Popen[str]:
    setup = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_term else ""
    config = tmp_path / "node.toml"
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSE.format(setup=setup), str(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"  # its signal handlers are in place
    return child


@pytest.fixture
def child(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    with _child(tmp_path) as process:
        yield process
        process.kill()


@pytest.fixture
def stubborn(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    with _child(tmp_path, ignore_term=True) as process:
        yield process
        process.kill()


def test_sigterm_stops_a_node(child: subprocess.Popen[str]) -> None:
    assert is_alive(child.pid)
    assert stop_all([child.pid], grace_s=10.0) == {child.pid: "stopped"}
    assert not is_alive(child.pid)


def test_sigkill_follows_when_sigterm_is_ignored(stubborn: subprocess.Popen[str]) -> None:
    assert stop_all([stubborn.pid], grace_s=0.2) == {stubborn.pid: "killed"}
    assert not is_alive(stubborn.pid)


def test_an_exited_pid_is_not_running(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.wait()
    assert not is_alive(child.pid)
    assert stop_all([child.pid], grace_s=1.0) == {child.pid: "not running"}


def test_wait_exit_times_out_on_a_live_process(child: subprocess.Popen[str]) -> None:
    assert wait_exit(child.pid, 0.05) is False


def test_a_zombie_child_counts_as_exited(child: subprocess.Popen[str]) -> None:
    child.kill()
    assert wait_exit(child.pid, 10.0)  # reaps it: no zombie stays behind
    assert not is_alive(child.pid)


def test_pid_file_round_trip_and_identity_check(
    tmp_path: Path, child: subprocess.Popen[str]
) -> None:
    pid_file = tmp_path / "node.pid"
    write_pid(pid_file, PidRecord(child.pid, tmp_path / "node.toml"))
    assert read_pid(pid_file) == PidRecord(child.pid, tmp_path / "node.toml")
    assert running_node(pid_file) == PidRecord(child.pid, tmp_path / "node.toml")
    # The same pid recorded for another config is some other process: never ours.
    write_pid(pid_file, PidRecord(child.pid, tmp_path / "other.toml"))
    assert running_node(pid_file) is None


@pytest.mark.parametrize("content", ["", "not json", '{"pid": "x"}', '{"config": "a"}'])
def test_unreadable_pid_files_are_stale(tmp_path: Path, content: str) -> None:
    pid_file = tmp_path / "node.pid"
    pid_file.write_text(content)
    assert read_pid(pid_file) is None
    assert running_node(pid_file) is None
    assert running_node(tmp_path / "missing.pid") is None
