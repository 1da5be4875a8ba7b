"""``build``, ``run``, ``cancel``, ``status``, ``outputs``, ``show``, ``list`` and ``delete`` against the
emulator: success paths, ``--output json`` shapes and exit codes."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import IMAGE, SUB, current_template

from azimagebuilder.cli import main
from azimagebuilder.emulator import SCENARIO_TAG, Emulator, MemoryArtifactStore

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "templates" / "ubuntu-image-and-vhd.json"
DOC: dict[str, Any] = current_template(managed_image=True)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(build_duration=0.2) as emulator:
        yield emulator


@pytest.fixture
def target(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    return ["--emulator", "--base-url", emu.base_url, "--ca-cert", emu.ca_cert, "--subscription", SUB]


def write(tmp_path: Path, doc: dict[str, Any], name: str = "template.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """Run the command with --output json; (status, the one JSON document on stdout, stderr)."""
    status = main([*argv, "--output", "json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def test_build_the_example_with_an_in_process_emulator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    status, document, _ = run_json(capsys, "build", str(EXAMPLE), "-g", "demo", "-n", "t", "--emulator")
    assert status == 0
    assert set(document) == {"runState", "outputs", "template"}
    assert document["runState"] == "Succeeded"
    image = f"/subscriptions/{SUB}/resourceGroups/demo/providers/Microsoft.Compute/images/ubuntu2204"
    assert document["outputs"]["managedImage"] == {"artifactId": image}
    assert document["outputs"]["vhd"]["artifactUri"].startswith("https://127.0.0.1:")
    assert document["template"].endswith(
        "/resourcegroups/demo/providers/Microsoft.VirtualMachineImages/imageTemplates/t"
    )


def test_build_prints_a_table_by_default(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "table", *target]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("table: Succeeded in ")
    assert out[1].split() == ["OUTPUT", "KIND", "VALUE"]
    assert out[2].split() == ["image", "artifactId", IMAGE]
    assert out[3].split()[:2] == ["vhd", "artifactUri"]


def test_a_failed_build_prints_the_code_and_the_log(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(DOC)
    doc["tags"] = {SCENARIO_TAG: "fail:Customizing"}
    status, document, err = run_json(
        capsys, "build", write(tmp_path, doc), "-g", "rg", "-n", "fails", *target
    )
    assert status == 1
    assert document["runState"] == "Failed"
    assert document["outputs"] == {}
    assert document["error"]["code"] == "PackerBuildFailed"
    assert "azimagebuilder build: the build failed: PackerBuildFailed: " in err
    assert "lines of customization.log ---" in err
    assert "Provisioning step had errors: hello" in err


def test_an_invalid_template_is_exit_3_and_nothing_is_sent(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(DOC)
    del doc["identity"]  # 2024-02-01 needs one
    assert main(["build", write(tmp_path, doc), "-g", "rg", "-n", "invalid", *target]) == 3
    err = capsys.readouterr().err
    assert "error: identity:" in err
    assert main(["show", "-g", "rg", "-n", "invalid", *target]) == 1
    assert "no template 'invalid'" in capsys.readouterr().err


def test_local_scripts_are_uploaded_with_their_checksum(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "scripts" / "setup.sh"
    script.parent.mkdir()
    script.write_bytes(b"#!/bin/sh\necho set up\n")
    doc = copy.deepcopy(DOC)
    doc["properties"]["customize"] = [{"type": "Shell", "name": "setup", "scriptUri": "scripts/setup.sh"}]
    path = write(tmp_path, doc)
    assert main(["build", path, "-g", "rg", "-n", "scripted", *target]) == 3
    assert "give --scripts-account" in capsys.readouterr().err
    argv = ["build", path, "-g", "rg", "-n", "scripted", *target, "--scripts-account", "myscripts"]
    assert main(argv) == 0
    capsys.readouterr()
    status, shown, _ = run_json(capsys, "show", "-g", "rg", "-n", "scripted", *target)
    assert status == 0
    [step] = shown["properties"]["customize"]
    assert step["scriptUri"].startswith(f"{emu.base_url}/myscripts/scripts/scripted/")
    assert step["sha256Checksum"] == hashlib.sha256(script.read_bytes()).hexdigest()
    store = emu.artifacts
    assert isinstance(store, MemoryArtifactStore)
    assert store.read(step["scriptUri"]) == script.read_bytes()


def test_copy_vhd_out_then_delete_after(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = f"{emu.base_url}/mycopies/images"
    status, document, err = run_json(
        capsys,
        "build",
        write(tmp_path, DOC),
        "-g",
        "rg",
        "-n",
        "copied",
        *target,
        "--copy-vhd-to",
        destination,
        "--delete-after",
    )
    assert status == 0, err
    copied_to = document["outputs"]["vhd"]["copiedTo"]
    assert copied_to.startswith(destination + "/")
    assert "copied and verified" in err
    assert "deleted template copied" in err
    store = emu.artifacts
    assert isinstance(store, MemoryArtifactStore)
    assert store.read(copied_to)[-512:-504] == b"conectix"
    assert main(["status", "-g", "rg", "-n", "copied", *target]) == 1  # gone


def test_run_status_outputs_show_list(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "again", *target]) == 0
    capsys.readouterr()
    status, document, _ = run_json(capsys, "run", "-g", "rg", "-n", "again", *target)
    assert status == 0
    assert document["runState"] == "Succeeded"
    assert set(document["outputs"]) == {"image", "vhd"}

    status, document, _ = run_json(capsys, "status", "-g", "rg", "-n", "again", *target)
    assert status == 0
    assert document["provisioningState"] == "Succeeded"
    assert document["lastRunStatus"]["runState"] == "Succeeded"
    assert set(document["lastRunStatus"]) == {"startTime", "endTime", "runState", "runSubState", "message"}
    assert main(["status", "-g", "rg", "-n", "again", *target]) == 0
    assert "runState" in capsys.readouterr().out

    status, document, _ = run_json(capsys, "outputs", "-g", "rg", "-n", "again", *target)
    assert status == 0
    assert document["outputs"]["image"] == {"artifactId": IMAGE}

    status, document, _ = run_json(capsys, "show", "-g", "rg", "-n", "again", *target)
    assert status == 0
    assert document["name"] == "again"
    assert document["properties"]["provisioningState"] == "Succeeded"
    assert main(["show", "-g", "rg", "-n", "again", *target]) == 0
    assert "Shell:hello" in capsys.readouterr().out

    status, rows, _ = run_json(capsys, "list", "-g", "rg", *target)
    assert status == 0
    row = next(r for r in rows if r["name"] == "again")
    assert row == {
        "name": "again",
        "resourceGroup": "rg",
        "location": "westus2",
        "provisioningState": "Succeeded",
        "runState": "Succeeded",
        "template": document["id"],
    }
    assert main(["list", *target]) == 0
    assert "again" in capsys.readouterr().out


def test_run_no_wait_then_status_wait(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "waited", *target]) == 0
    capsys.readouterr()
    status, document, _ = run_json(capsys, "run", "-g", "rg", "-n", "waited", *target, "--no-wait")
    assert (status, document["runState"]) == (0, "Running")
    status, document, _ = run_json(
        capsys, "status", "-g", "rg", "-n", "waited", *target, "--wait", "--polling-interval", "0.1"
    )
    assert status == 0
    assert document["runState"] == "Succeeded"
    assert set(document["outputs"]) == {"image", "vhd"}


def test_delete_guards_uncopied_vhds(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "guarded", *target]) == 0
    capsys.readouterr()
    assert main(["delete", "-g", "rg", "-n", "guarded", *target]) == 1
    err = capsys.readouterr().err
    assert "vhd" in err
    assert "--force" in err
    assert len(err.strip().splitlines()) == 1
    status, document, _ = run_json(capsys, "delete", "-g", "rg", "-n", "guarded", *target, "--force")
    assert (status, document["state"]) == (0, "Deleted")
    assert main(["delete", "-g", "rg", "-n", "guarded", *target]) == 1
    assert "no template 'guarded'" in capsys.readouterr().err


def test_an_existing_different_template_needs_replace(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "changed", *target]) == 0
    doc = copy.deepcopy(DOC)
    doc["properties"]["customize"][0]["inline"] = ["echo changed"]
    path = write(tmp_path, doc, "changed.json")
    capsys.readouterr()
    assert main(["build", path, "-g", "rg", "-n", "changed", *target]) == 1
    assert "--replace" in capsys.readouterr().err
    # Replacing deletes the old template, and its VHD with it: refused unless --force.
    assert main(["build", path, "-g", "rg", "-n", "changed", *target, "--replace"]) == 1
    err = capsys.readouterr().err
    assert "VHD output(s) not copied out (vhd)" in err
    assert "--force" in err
    assert main(["build", path, "-g", "rg", "-n", "changed", *target, "--replace", "--force"]) == 0
    assert capsys.readouterr().out.startswith("changed: Succeeded")
    status, shown, _ = run_json(capsys, "show", "-g", "rg", "-n", "changed", *target)
    assert status == 0
    assert shown["properties"]["customize"][0]["inline"] == ["echo changed"]


@pytest.mark.slow
def test_timeout_and_cancel(target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A long build, but creating the template and cancelling (as long as a delete) are quick.
    with Emulator(build_duration=60, create_duration=0.5, delete_duration=0.5) as slow:
        argv = ["--emulator", "--base-url", slow.base_url, "--ca-cert", slow.ca_cert, "--subscription", SUB]
        path = write(tmp_path, DOC)
        status, document, err = run_json(
            capsys,
            "build",
            path,
            "-g",
            "rg",
            "-n",
            "slow",
            *argv,
            "--timeout",
            "1",
            "--polling-interval",
            "0.2",
        )
        assert status == 4
        assert document["runState"] == "Running"
        assert "azimagebuilder status -g rg -n slow --wait" in err
        assert "azimagebuilder cancel -g rg -n slow" in err
        status, document, _ = run_json(capsys, "cancel", "-g", "rg", "-n", "slow", *argv)
        assert status == 0
        assert document["runState"] == "Canceled"
        status, document, _ = run_json(capsys, "status", "-g", "rg", "-n", "slow", *argv, "--wait")
        assert status == 5
        assert document["runState"] == "Canceled"
        assert main(["cancel", "-g", "rg", "-n", "slow", *argv]) == 1
        assert "nothing to cancel" in capsys.readouterr().err


def test_ctrl_c_says_the_build_goes_on(
    target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from azimagebuilder import ImageBuilderClient

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(ImageBuilderClient, "build", interrupted)
    assert main(["build", write(tmp_path, DOC), "-g", "rg", "-n", "stopped", *target]) == 130
    err = capsys.readouterr().err
    assert "goes on in Azure" in err
    assert "azimagebuilder status -g rg -n stopped --wait" in err
    assert "azimagebuilder cancel -g rg -n stopped" in err


def test_a_template_never_run_and_a_run_that_fails(
    emu: Emulator, target: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from azimagebuilder import ImageBuilderClient

    doc = copy.deepcopy(DOC)
    doc["tags"] = {SCENARIO_TAG: "fail:Building"}
    with ImageBuilderClient(
        emu.credential, SUB, base_url=emu.base_url, connection_verify=emu.ca_cert, api_version="2024-02-01"
    ) as client:
        client.begin_create_or_update("rg", "fresh", doc, validate=False, polling_interval=0.1).result()
    assert main(["outputs", "-g", "rg", "-n", "fresh", *target]) == 0
    assert capsys.readouterr().out == "(no run outputs)\n"
    status, document, _ = run_json(capsys, "status", "-g", "rg", "-n", "fresh", *target)
    assert (status, document["lastRunStatus"]) == (0, None)
    assert main(["status", "-g", "rg", "-n", "fresh", *target]) == 0
    assert "(never run)" in capsys.readouterr().out
    # The run fails: exit 1, the code and the log on stderr, the error in the JSON.
    status, document, err = run_json(
        capsys, "run", "-g", "rg", "-n", "fresh", *target, "--polling-interval", "0.1"
    )
    assert status == 1
    assert document["runState"] == "Failed"
    assert document["error"]["code"] == "PackerBuildFailed"
    assert "customization.log" in err
    assert main(["run", "-g", "rg", "-n", "fresh", *target, "--polling-interval", "0.1"]) == 1
    assert capsys.readouterr().out == ""  # the table is for outputs; a failed run has none
    # status --wait on a run that has ended Failed: exit 1 too.
    status, document, _ = run_json(capsys, "status", "-g", "rg", "-n", "fresh", *target, "--wait")
    assert (status, document["runState"]) == (1, "Failed")


def test_a_partially_succeeded_build_exits_1_everywhere_and_keeps_its_template(
    emu: Emulator, target: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(DOC)
    doc["tags"] = {SCENARIO_TAG: "partial"}
    path = write(tmp_path, doc)
    argv = ["-g", "rg", "-n", "partly", *target, "--polling-interval", "0.1"]
    status, document, err = run_json(capsys, "build", path, *argv, "--delete-after")
    assert (status, document["runState"]) == (1, "PartiallySucceeded")
    assert "kept template partly" in err  # its staging group's log says which distribution failed
    assert main(["show", "-g", "rg", "-n", "partly", *target]) == 0
    capsys.readouterr()
    # run and status --wait end as build does.
    status, document, err = run_json(capsys, "run", *argv)
    assert (status, document["runState"]) == (1, "PartiallySucceeded")
    assert "the run partially succeeded" in err
    status, document, _ = run_json(capsys, "status", *argv, "--wait")
    assert (status, document["runState"]) == (1, "PartiallySucceeded")
