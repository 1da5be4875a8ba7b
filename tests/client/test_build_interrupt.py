"""Ctrl-C in build(): SIGINT to a process running it (as a terminal sends), against the emulator.

The process prints one line (the build goes on in Azure; how to cancel it or resume waiting), exits with
status 130 as a shell reports it, prints no progress afterwards, and a second process resumes or cancels
the build with the line's continuation token.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from typing import Any

import pytest
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

RG = "rg-images"
LATEST = "2025-10-01"


def _template(emu: Any) -> dict[str, Any]:
    identity = (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    )
    return linux_body(identity={"type": "UserAssigned", "userAssignedIdentities": {identity: {}}})


def _client_code(emu: Any) -> str:
    return textwrap.dedent(f"""
        import json, os, signal, sys, time
        from azimagebuilder import ImageBuilderClient
        from azimagebuilder.emulator._credential import EmulatorCredential
        client = ImageBuilderClient(
            EmulatorCredential(), {emu.subscription_id!r}, base_url={emu.base_url!r},
            connection_verify={emu.ca_cert!r}, polling_interval=0.05, api_version={LATEST!r},
        )
    """)


def _builder(emu: Any, *, cancel_on_interrupt: bool, linger: float) -> str:
    return _client_code(emu) + textwrap.dedent(f"""
        print("PID", os.getpid(), flush=True)

        def progress(event):
            print("PROGRESS", event.describe(), flush=True)

        try:
            client.build({RG!r}, "t", json.loads(sys.argv[1]), progress=progress,
                         cancel_on_interrupt={cancel_on_interrupt!r})
        except KeyboardInterrupt:
            # Leave time for an abandoned poller to print (it must not), then end as Ctrl-C ends a program:
            # by SIGINT, which a shell reports as exit status 130.
            time.sleep({linger!r})
            sys.stdout.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        print("NOT INTERRUPTED", flush=True)
    """)


def _interrupt_a_build(
    emu: Any, *, cancel_on_interrupt: bool = False, linger: float = 0.0
) -> tuple[int, list[str], list[str]]:
    """build() in a child process (under sh), SIGINT once its run is going: (status, stdout, stderr).

    ``linger``: seconds the child stays alive after the interrupt (for a stray poller to show)."""
    code = _builder(emu, cancel_on_interrupt=cancel_on_interrupt, linger=linger)
    child = subprocess.Popen(
        ["sh", "-c", '"$@"; exit $?', "sh", sys.executable, "-c", code, json.dumps(_template(emu))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background inherits SIGINT ignored; a terminal's child has the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert child.stdout is not None
        lines: list[str] = []
        pid = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("PID "):
                pid = int(line.split()[1])
            if _running(line):
                break
        assert pid is not None, lines
        assert any(_running(line) for line in lines), lines
        os.kill(pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    lines += out.splitlines()
    return child.returncode, lines, err.splitlines()


def _running(line: str) -> bool:
    """A progress line of the run going on (``t: Queued (0m 00s)``)."""
    return line.startswith("PROGRESS t: ") and line.split()[2] in ("Queued", "Building", "Customizing")


def _token(line: str) -> str:
    found = re.search(r"continuation_token='([^']+)'", line)
    assert found is not None, line
    return found.group(1)


def _second_process(emu: Any, body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _client_code(emu) + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_sigint_prints_one_line_exits_130_and_a_second_process_resumes(
    emulator_factory: Callable[..., Any],
) -> None:
    # A 2 s build (Queued 0.2 s, Building 0.6 s, Customizing 0.8 s, Distributing 0.4 s) interrupted in its
    # first phase changes phase at least twice in the 1.5 s the interrupted process lingers (polling every
    # 0.05 s), so a poller left printing would show.
    emu = emulator_factory(build_duration=2, create_duration=0.2, delete_duration=0.2)
    status, out, err = _interrupt_a_build(emu, linger=1.5)
    assert status == 130
    assert len(err) == 1, err
    line = err[0]
    assert "goes on in Azure" in line
    assert "client.begin_cancel('rg-images', 't')" in line
    interrupted_at = next(i for i, text in enumerate(out) if _running(text))
    assert [text for text in out[interrupted_at + 1 :] if text.startswith("PROGRESS")] == []
    assert "NOT INTERRUPTED" not in out
    token = _token(line)
    resumed = _second_process(
        emu,
        f"""
        status = client.begin_run({RG!r}, "t", continuation_token={token!r}).result()
        print(status.run_state)
        """,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.split() == ["Succeeded"]


@pytest.mark.slow
def test_a_second_process_cancels_the_build_left_running(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(build_duration=60, create_duration=0.2, delete_duration=0.3)
    status, _, err = _interrupt_a_build(emu)
    assert status == 130
    assert len(err) == 1, err
    token = _token(err[0])
    canceled = _second_process(
        emu,
        f"""
        from azimagebuilder import BuildCanceledError
        print(client.begin_cancel({RG!r}, "t").result().run_state)
        try:
            client.begin_run({RG!r}, "t", continuation_token={token!r}).result()
        except BuildCanceledError as err:
            print("BuildCanceledError", err.last_run_status.run_state)
        """,
    )
    assert canceled.returncode == 0, canceled.stderr
    assert canceled.stdout.splitlines() == ["Canceled", "BuildCanceledError Canceled"]


@pytest.mark.slow
def test_cancel_on_interrupt_cancels_the_run(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(build_duration=60, create_duration=0.2, delete_duration=0.3)
    status, out, err = _interrupt_a_build(emu, cancel_on_interrupt=True)
    assert status == 130, (out, err)
    assert len(err) == 1, (out, err)
    assert "was canceled in Azure" in err[0], (out, err)
    with ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version=LATEST,
    ) as client:
        last = client.get(RG, "t").last_run_status
        outputs = list(client.list_run_outputs(RG, "t"))
    assert last is not None
    assert last.run_state == "Canceled"
    assert outputs == []


@pytest.mark.parametrize("cancel_on_interrupt", [False, True])
def test_aio_build_interrupted_by_task_cancellation(
    emulator_factory: Callable[..., Any], capsys: pytest.CaptureFixture[str], cancel_on_interrupt: bool
) -> None:
    import asyncio

    from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient

    emu = emulator_factory(build_duration=60, create_duration=0.2, delete_duration=0.3)
    events: list[Any] = []

    async def main() -> str | None:
        async with AsyncImageBuilderClient(
            emu.async_credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0.05,
            api_version=LATEST,
        ) as client:
            running = asyncio.Event()

            def progress(event: Any) -> None:
                events.append(event)
                if event.run_state == "Running":
                    running.set()

            task = asyncio.ensure_future(
                client.build(
                    RG, "t", _template(emu), progress=progress, cancel_on_interrupt=cancel_on_interrupt
                )
            )
            await asyncio.wait_for(running.wait(), 30)
            seen = len(events)
            task.cancel()  # what asyncio.run does to its task on Ctrl-C
            with pytest.raises(asyncio.CancelledError):
                await task
            assert len(events) == seen  # nothing reported after the interrupt
            last = (await client.get(RG, "t")).last_run_status
            return None if last is None else str(last.run_state)

    state = asyncio.run(main())
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    if cancel_on_interrupt:
        assert "was canceled in Azure" in err[0]
        assert state == "Canceled"
    else:
        assert "goes on in Azure" in err[0]
        assert "continuation_token='" in err[0]
        assert state == "Running"
