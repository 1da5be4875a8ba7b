"""Where Azurite is installed: once per user, so every clone and worktree of a project shares it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from azimagebuilder.testing.azurite import AzuriteNotAvailableError, default_cache_dir, find_azurite_blob


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("AZIMAGEBUILDER_AZURITE", "AZIMAGEBUILDER_AZURITE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))  # no azurite-blob, no npm
    return tmp_path


@pytest.mark.skipif(os.name == "nt", reason="POSIX cache directories")
def test_the_default_is_the_users_cache_directory(clean: Path) -> None:
    assert default_cache_dir() == clean / "home" / ".cache" / "azimagebuilder" / "azurite"


@pytest.mark.skipif(os.name == "nt", reason="POSIX cache directories")
def test_xdg_cache_home_moves_it(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(clean / "xdg"))
    assert default_cache_dir() == clean / "xdg" / "azimagebuilder" / "azurite"


def test_azimagebuilder_azurite_dir_wins(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(clean / "xdg"))
    monkeypatch.setenv("AZIMAGEBUILDER_AZURITE_DIR", str(clean / "mine"))
    assert default_cache_dir() == clean / "mine"


def test_an_install_in_the_cache_is_found_without_npm(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(clean / "xdg"))
    executable = default_cache_dir() / "node_modules" / ".bin" / "azurite-blob"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n", encoding="utf-8")
    assert find_azurite_blob() == executable


def test_without_an_install_or_npm_the_error_says_how_to_install_it(clean: Path) -> None:
    with pytest.raises(AzuriteNotAvailableError, match="npm is missing") as caught:
        find_azurite_blob()
    assert f"npm install --prefix {default_cache_dir()} azurite" in str(caught.value)
    with pytest.raises(AzuriteNotAvailableError, match="not on PATH nor in"):
        find_azurite_blob(install=False)
