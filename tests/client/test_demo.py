"""``azimagebuilder demo``: the whole lifecycle against the in-process emulator, well under a minute."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_builds_prints_outputs_and_deletes() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "azimagebuilder",
            "demo",
            "--build-duration",
            "1",
            "--polling-interval",
            "0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "checked locally: 0 error(s)" in out
    assert re.search(r"helloImageTemplateLinux: (Building|Customizing|Distributing) \(\dm \d\ds\)", out)
    assert "Build finished: Succeeded" in out
    assert re.search(
        r"linuxImage +artifactId +/subscriptions/.+/providers/Microsoft.Compute/images/helloImageLinux", out
    )
    assert re.search(r"linuxVhd +artifactUri +https://\S+\.vhd", out)
    assert "force=True" in out
    assert "  deleted" in out
    assert "Traceback" not in done.stderr


def test_demo_template_is_the_documents_linux_example() -> None:
    from azimagebuilder import validate
    from azimagebuilder.cli._demo import demo_template

    template = demo_template("0000")
    assert validate(template).errors == []
    body = template.to_resource_body()["properties"]
    assert body["source"] == {
        "type": "PlatformImage",
        "publisher": "Canonical",
        "offer": "UbuntuServer",
        "sku": "18.04-LTS",
        "version": "latest",
    }
    assert [c["type"] for c in body["customize"]] == ["Shell", "File", "Shell"]
    assert body["customize"][1]["destination"].startswith("/tmp/")
    assert sorted(d["type"] for d in body["distribute"]) == ["ManagedImage", "VHD"]


def test_demo_is_listed_in_help() -> None:
    done = subprocess.run([sys.executable, "-m", "azimagebuilder", "--help"], capture_output=True, text=True)
    assert "demo" in done.stdout
