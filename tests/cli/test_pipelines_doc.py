"""docs/pipelines.md: the GitHub Actions workflow's build job runs, step by step, against the emulator.

The workflow is read from the page itself; each ``run:`` step goes through bash as the runner would run
it, with ``${{ vars.X }}`` and ``${{ github.run_number }}`` filled in and, on every ``azimagebuilder`` command
that talks to Azure, the emulator's ``--emulator --base-url --ca-cert`` added. The step outputs written to
``$GITHUB_OUTPUT`` are what the next job would get.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from azimagebuilder.emulator import Emulator, MemoryArtifactStore

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "pipelines.md"
EXAMPLE = REPO / "examples" / "templates" / "ubuntu-image-and-vhd.json"
TALKS_TO_AZURE = (
    "build",
    "run",
    "cancel",
    "status",
    "outputs",
    "show",
    "list",
    "delete",
    "logs",
    "preflight",
)


def yaml_blocks(heading: str) -> list[Any]:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(build_duration=0.3) as emulator:
        yield emulator


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("bash") is None, reason="needs bash and jq")
@pytest.mark.slow
def test_the_github_workflow_builds_against_the_emulator(emu: Emulator, tmp_path: Path) -> None:
    [workflow] = yaml_blocks("GitHub Actions")
    assert workflow["permissions"]["id-token"] == "write"
    job = workflow["jobs"]["build"]
    # The repository the workflow checks out: the template, with a script in it named by its path.
    (tmp_path / "images" / "scripts").mkdir(parents=True)
    (tmp_path / "images" / "scripts" / "setup.sh").write_text("#!/bin/sh\necho setting up\n")
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["resources"][0]["properties"]["customize"].append(
        {"type": "Shell", "name": "setup", "scriptUri": "scripts/setup.sh"}
    )
    (tmp_path / "images" / "ubuntu.json").write_text(json.dumps(doc), encoding="utf-8")

    values = {
        "vars.AZURE_SUBSCRIPTION_ID": emu.subscription_id,
        "vars.SCRIPTS_ACCOUNT": "scripts",
        "vars.VHD_CONTAINER_URL": f"{emu.base_url}/mycopies/images",
        "github.run_number": "7",
    }

    def fill(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)

    emulator_flags = f"--emulator --base-url {emu.base_url} --ca-cert {emu.ca_cert}"

    def at_the_emulator(script: str) -> str:
        pattern = rf"\bazimagebuilder ({'|'.join(TALKS_TO_AZURE)})\b"
        return re.sub(pattern, lambda m: f"{m.group(0)} {emulator_flags}", script)

    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    env.update({name: fill(str(value)) for name, value in workflow["env"].items()})
    env["GITHUB_OUTPUT"] = str(outputs)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    ran = []
    for step in job["steps"]:
        script = step.get("run")
        if script is None or script.startswith("pip install"):
            continue  # actions (checkout, login) and the install, done already here
        proc = subprocess.run(
            ["bash", "-e", "-c", at_the_emulator(fill(script))],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{step.get('name')}: {proc.stderr}"
        assert "Traceback" not in proc.stderr
        ran.append(step.get("name"))
    assert ran == ["Build the image"]

    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert set(written) == set(job["outputs"]) == {"image-id", "vhd-url"}
    image = f"/subscriptions/{emu.subscription_id}/resourceGroups/images/providers/Microsoft.Compute/images/"
    assert written["image-id"] == image + "ubuntu2204"
    assert written["vhd-url"].startswith(f"{emu.base_url}/mycopies/images/")
    store = emu.artifacts
    assert isinstance(store, MemoryArtifactStore)
    assert store.read(written["vhd-url"])[-512:-504] == b"conectix"  # copied out
    assert any("/scripts/scripts/ubuntu-7/" in url for url in store.urls())  # the script, uploaded
    # --delete-after: the template is gone once its VHD was copied out.
    assert not [url for url in store.urls() if "/packerlogs/" in url]


def test_the_azure_devops_pipeline_runs_the_same_build() -> None:
    [pipeline] = yaml_blocks("Azure DevOps")
    [build_stage, test_stage] = pipeline["stages"]
    steps = build_stage["jobs"][0]["steps"]
    script = next(s for s in steps if s.get("task") == "AzureCLI@2")["inputs"]["inlineScript"]
    assert "azimagebuilder build images/ubuntu.json" in script
    assert "--output json > build.json" in script
    assert "isOutput=true" in script
    assert "build.imageId" in test_stage["variables"]["imageId"]


def test_docs_cli_names_every_command_and_option() -> None:
    """docs/cli.md keeps up with the parser: every subcommand and every long option is on the page."""
    import argparse

    from azimagebuilder.cli import build_parser

    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = []
    for name, sub in subparsers.choices.items():
        if f"`{name}" not in page and f"### {name}" not in page:
            missing.append(name)
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and option not in page:
                    missing.append(f"{name} {option}")
    assert not missing, missing
