"""State persistence: templates survive a restart; a crash while saving never loses or corrupts a template."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from emulator_support import template_body

from azimagebuilder.emulator import StateFileError, StateStore
from azimagebuilder.emulator import _state as state_module


def test_templates_runs_and_outputs_survive_a_restart(make_arm: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = make_arm(state_file=state)
    first.create("kept", template_body(tags={"team": "images"}))
    first.wait(first.call("POST", first.path("kept") + "/run").headers["Location"])
    before = first.call("GET", first.path("kept")).json()
    outputs = first.call("GET", first.path("kept") + "/runOutputs").json()
    first.emulator.stop()

    second = make_arm(state_file=state)
    after = second.call("GET", second.path("kept"))
    assert after.status_code == 200
    assert after.json() == before
    assert second.call("GET", second.path("kept") + "/runOutputs").json() == outputs
    assert second.call("PUT", second.path("kept"), template_body(buildTimeoutInMinutes=3)).status_code == 409


def test_every_change_is_saved_as_it_happens(make_arm: Any, tmp_path: Path) -> None:
    """A template is on disk as soon as the PUT is answered (no clean shutdown needed)."""
    state = tmp_path / "state.json"
    arm = make_arm(state_file=state)
    arm.create("early")
    saved = json.loads(state.read_text())
    assert saved["format"] == "azimagebuilder-emulator-state"
    templates = saved["sections"]["imagebuilder"]["templates"]
    assert [t["name"] for t in templates.values()] == ["early"]
    arm.emulator.unregister_provider()
    assert json.loads(state.read_text())["registrations"]


def test_a_crash_while_saving_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated crash: the process dies after part of the new document was written. The state file still
    holds the last complete save, and a restart loads every template it had."""
    path = tmp_path / "state.json"
    store = StateStore(path)
    with store.changing():
        store.section("imagebuilder")["templates"] = {"sub/rg/a": {"name": "a"}}
    good = path.read_bytes()

    real_fdopen = os.fdopen

    class Crash(Exception):
        pass

    def crashing_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, mode, *args, **kwargs)

        class HalfWriter:
            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                handle.close()

            def write(self, data: bytes) -> int:
                handle.write(data[: len(data) // 2])  # half the document reaches the disk...
                handle.flush()
                raise Crash  # ...then the process dies

        return HalfWriter()

    monkeypatch.setattr(state_module.os, "fdopen", crashing_fdopen)
    with pytest.raises(Crash), store.changing():
        store.section("imagebuilder")["templates"]["sub/rg/b"] = {"name": "b"}
    monkeypatch.undo()

    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left behind
    reloaded = StateStore(path)
    with reloaded.locked():
        assert reloaded.section("imagebuilder")["templates"] == {"sub/rg/a": {"name": "a"}}


def test_a_crash_before_the_rename_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new document is complete and fsync'ed but the process dies before os.replace: the old file
    stays."""
    path = tmp_path / "state.json"
    store = StateStore(path)
    with store.changing():
        store.section("x")["n"] = 1

    def no_replace(src: str, dst: Any) -> None:
        raise KeyboardInterrupt  # stands for the process being killed here

    monkeypatch.setattr(state_module.os, "replace", no_replace)
    with pytest.raises(KeyboardInterrupt), store.changing():
        store.section("x")["n"] = 2
    monkeypatch.undo()
    assert json.loads(path.read_text())["sections"] == {"x": {"n": 1}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_an_unreadable_state_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{ torn")
    with pytest.raises(StateFileError, match="left as it is"):
        StateStore(path)
    assert path.read_text() == "{ torn"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(StateFileError, match="not an azimagebuilder emulator state file"):
        StateStore(path)


def test_a_failed_block_does_not_save(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)

    def failing_change() -> None:
        with store.changing():
            store.section("x")["n"] = 1
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        failing_change()
    assert not path.exists()
