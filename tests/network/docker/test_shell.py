"""The command runner: echo, failure messages, missing tools."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pytest

from network.docker.errors import CommandFailed, ToolMissing
from network.docker.shell import Completed, Shell, subprocess_runner


class Recorder:
    def __init__(self, returncode: int = 0, stdout: str = "", stderr: str = "") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.result = (returncode, stdout, stderr)

    def __call__(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        timeout: float | None = None,
    ) -> Completed:
        self.calls.append(tuple(args))
        return Completed(tuple(args), *self.result)


def test_each_command_is_echoed_before_it_runs() -> None:
    echo = io.StringIO()
    shell = Shell(Recorder(stdout="ok\n"), echo)

    out = shell.output(["docker", "image", "inspect", "a b"])

    assert out == "ok"
    assert echo.getvalue() == "+ docker image inspect 'a b'\n"


def test_a_failing_command_raises_with_its_output_tail() -> None:
    shell = Shell(Recorder(returncode=3, stderr="no such image\n"), None)

    with pytest.raises(CommandFailed, match="`docker pull x` exited with 3:\nno such image"):
        shell.run(["docker", "pull", "x"])


def test_succeeds_is_false_for_a_failure_or_a_missing_program() -> None:
    assert not Shell(Recorder(returncode=1), None).succeeds(["false"])
    assert not Shell(subprocess_runner, None).succeeds(["rxl-no-such-program-anywhere"])
    assert Shell(subprocess_runner, None).succeeds(["true"])


def test_a_missing_program_is_named() -> None:
    with pytest.raises(ToolMissing, match="`rxl-no-such-program-anywhere` is not installed"):
        Shell(subprocess_runner, None).run(["rxl-no-such-program-anywhere"])


def test_quiet_shell_runs_the_same_commands_without_echo() -> None:
    recorder = Recorder()
    echo = io.StringIO()

    Shell(recorder, echo).quiet().run(["docker", "ps"])

    assert recorder.calls == [("docker", "ps")]
    assert echo.getvalue() == ""
