"""Every script in examples/ runs against the local emulator (given its URL and certificate)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, emu: Any, *args: str) -> str:
    command = [
        sys.executable,
        str(EXAMPLES / name),
        "--base-url",
        emu.base_url,
        "--ca-cert",
        emu.ca_cert,
        "--polling-interval",
        "0.05",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_every_example_is_tested() -> None:
    tested = {"build_linux_image.py", "resume_a_run.py", "concurrent_builds_async.py"}
    assert {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")} == tested


def test_build_linux_image(start_emulator: Callable[..., Any]) -> None:
    out = run_example("build_linux_image.py", start_emulator())
    assert "run state: Succeeded" in out
    assert "artifactId  image: /subscriptions/" in out
    assert "artifactUri vhd: https://" in out
    assert "deleted template helloImageTemplateLinux" in out


@pytest.mark.slow
def test_resume_a_run_in_a_second_process(start_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = start_emulator(build_duration=1.0)
    token = tmp_path / "run.token"
    assert "run started" in run_example("resume_a_run.py", emu, "start", "--token-file", str(token))
    assert token.read_text()
    out = run_example("resume_a_run.py", emu, "resume", "--token-file", str(token))
    assert "run state: Succeeded" in out
    assert "vhd: https://" in out


def test_concurrent_builds_async(start_emulator: Callable[..., Any]) -> None:
    out = run_example("concurrent_builds_async.py", start_emulator(), "--count", "4")
    assert sorted(out.split("\n")[:4]) == [f"concurrent-{i}: Succeeded" for i in range(4)]
