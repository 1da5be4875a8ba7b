"""``azimagebuilder emulator -- COMMAND``: the emulator serves while one command runs, the command finds it
in its environment, and the exit status is the command's, as a shell would give it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from azimagebuilder.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "templates" / "ubuntu-image-and-vhd.json"

#: A child that reports what it was told and whether the emulator answers at that address.
PROBE = """
import json, os, ssl, sys, urllib.request
url = os.environ["AZIMAGEBUILDER_BASE_URL"]
ca = os.environ["AZIMAGEBUILDER_CA_CERT"]
sub = os.environ["AZIMAGEBUILDER_SUBSCRIPTION_ID"]
request = urllib.request.Request(
    f"{url}/subscriptions/{sub}/providers/Microsoft.VirtualMachineImages/imageTemplates"
    "?api-version=2019-05-01-preview",
    headers={"Authorization": "Bearer anything"},
)
with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca)) as response:
    body = json.load(response)
print(json.dumps({"url": url, "ca": ca, "sub": sub, "status": response.status, "body": body}))
sys.exit(int(sys.argv[1]))
"""


def test_the_command_finds_the_emulator_in_its_environment_and_its_status_is_the_exit_status(
    capfd: pytest.CaptureFixture[str],
) -> None:
    status = main(["emulator", "--build-duration", "0", "--", sys.executable, "-c", PROBE, "3"])
    out, err = capfd.readouterr()
    assert status == 3
    seen = json.loads(out)  # stdout is the command's alone: the emulator's lines went to stderr
    assert seen["url"].startswith("https://127.0.0.1:")
    assert seen["status"] == 200
    assert seen["body"] == {"value": []}
    assert f"base_url: {seen['url']}" in err
    assert f"subscription_id: {seen['sub']}" in err
    assert "exited 3" in err
    assert not Path(seen["ca"]).exists(), "the emulator stopped (and removed its certificate) afterwards"


def test_azimagebuilder_commands_with_emulator_use_that_emulator(tmp_path: Path) -> None:
    # Without the environment, `build --emulator` would build in an emulator of its own and this one's
    # state would stay empty.
    state = tmp_path / "state.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AZIMAGEBUILDER_"))}
    cli = [sys.executable, "-m", "azimagebuilder"]
    emulator = [*cli, "emulator", "--build-duration", "0", "--state", str(state)]
    build = [*cli, "build", str(EXAMPLE), "-g", "demo", "-n", "ubuntu"]
    done = subprocess.run(
        [*emulator, "--", *build, "--emulator", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runState"] == "Succeeded"
    saved = json.loads(state.read_text(encoding="utf-8"))["sections"]["imagebuilder"]["templates"]
    assert list(saved) == ["00000000-0000-0000-0000-000000000000/demo/ubuntu"]


def test_without_a_command_after_the_separator_is_a_usage_error(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--"]) == 2
    assert "give a COMMAND after --" in capfd.readouterr().err


def test_a_command_that_is_not_found_exits_127(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-command")
    assert main(["emulator", "--", missing]) == 127
    assert f"{missing}: command not found" in capfd.readouterr().err


def test_a_command_that_cannot_be_run_exits_126(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    assert main(["emulator", "--", str(script)]) == 126
    assert "cannot run it" in capfd.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_command_ended_by_a_signal_exits_128_plus_its_number(capfd: pytest.CaptureFixture[str]) -> None:
    kill_self = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    assert main(["emulator", "--", sys.executable, "-c", kill_self]) == 128 + signal.SIGTERM
    assert "was ended by signal 15 (SIGTERM)" in capfd.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_is_passed_on_to_the_command(tmp_path: Path) -> None:
    ready, got = tmp_path / "ready", tmp_path / "got"
    child = (
        "import pathlib, signal, sys, time\n"
        f"def on_term(signum, frame):\n    pathlib.Path({str(got)!r}).write_text('TERM')\n    sys.exit(7)\n"
        "signal.signal(signal.SIGTERM, on_term)\n"
        f"pathlib.Path({str(ready)!r}).write_text('')\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", "emulator", "--", sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert got.read_text() == "TERM"
    assert proc.returncode == 7, err
    assert "exited 7" in err


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"AZIMAGEBUILDER_BASE_URL": "not-a-url"}, "$AZIMAGEBUILDER_BASE_URL not-a-url: not an http(s) URL"),
        (
            {"AZIMAGEBUILDER_BASE_URL": "https://127.0.0.1:1", "AZIMAGEBUILDER_CA_CERT": "/no/such/ca.pem"},
            "$AZIMAGEBUILDER_CA_CERT /no/such/ca.pem: no such file",
        ),
        (
            {"AZIMAGEBUILDER_BASE_URL": "https://127.0.0.1:1", "AZIMAGEBUILDER_SUBSCRIPTION_ID": "nope"},
            "$AZIMAGEBUILDER_SUBSCRIPTION_ID 'nope' is not a subscription id",
        ),
    ],
)
def test_a_bad_value_from_the_emulators_environment_is_named_as_such(
    variables: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("AZIMAGEBUILDER_BASE_URL", "AZIMAGEBUILDER_CA_CERT", "AZIMAGEBUILDER_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["logs", "rg", "tpl", "--emulator"]) == 2
    assert expected in capsys.readouterr().err
