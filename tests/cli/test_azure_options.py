"""The connection options that `logs` and `preflight` share mean the same and are checked the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder.cli import main

SUB = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def commands(tmp_path: Path, doc: dict[str, Any]) -> dict[str, list[str]]:
    template = tmp_path / "template.json"
    template.write_text(json.dumps(doc), encoding="utf-8")
    return {"logs": ["logs", "rg", "tpl"], "preflight": ["preflight", str(template)]}


@pytest.mark.parametrize("command", ["logs", "preflight"])
def test_a_missing_ca_cert_file_is_a_usage_error(
    commands: dict[str, list[str]], command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.pem"
    argv = [*commands[command], "--subscription", SUB, "--base-url", "https://127.0.0.1:1"]
    assert main([*argv, "--ca-cert", str(missing)]) == 2
    assert f"--ca-cert {missing}: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["logs", "preflight"])
def test_emulator_needs_a_base_url(
    commands: dict[str, list[str]],
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AZIMAGEBUILDER_BASE_URL", raising=False)  # not under `emulator -- COMMAND`
    assert main([*commands[command], "--subscription", SUB, "--emulator"]) == 2
    assert "--emulator needs --base-url" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["logs", "preflight"])
def test_the_subscription_comes_from_the_environment_or_is_asked_for(
    commands: dict[str, list[str]],
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    assert main(commands[command]) == 2
    assert "give --subscription or set $AZURE_SUBSCRIPTION_ID" in capsys.readouterr().err
