"""docs/testing.md's two files, as a user's project would hold them: record against the emulator, then replay.

The conftest.py and the test module are taken from the documentation's code blocks, so the page cannot
drift from what works.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from azimagebuilder.testing.cassettes import read_provenance, scan_cassettes

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / "docs" / "testing.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AZIMAGEBUILDER_RECORD_TARGET"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_the_documented_setup_records_then_replays(tmp_path: Path) -> None:
    import azimagebuilder as aib

    conftest, test_module = _python_blocks()[:2]
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_my_build.py").write_text(test_module)
    template = aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[aib.ShellCustomizer(name="hello", inline=["echo hello"])],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )
    (tmp_path / "template.json").write_text(json.dumps(template.to_arm()))

    recorded = _pytest(tmp_path, "--record-mode=rewrite")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassette = tmp_path / "cassettes" / "test_my_build" / "test_my_build.yaml"
    assert cassette.is_file()
    provenance = read_provenance(cassette)
    assert provenance is not None
    assert provenance["against"] == "emulator"
    assert scan_cassettes(tmp_path / "cassettes") == []
    assert "https://management.azure.com/subscriptions/" in cassette.read_text()

    replayed = _pytest(tmp_path, "--block-network")  # no emulator, nothing but the cassette
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 passed" in replayed.stdout
