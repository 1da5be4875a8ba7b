"""``logs`` and ``build --copy-vhd-to`` against ``azimagebuilder emulator`` started from the command line:
no Azure, no Azurite, no environment variables; every command in a process of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from azimagebuilder.testing.azurite import AzuriteBlob, azurite  # noqa: F401 - registers the fixture

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "templates" / "ubuntu-image-and-vhd.json"


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without anything Azure, storage or CA related."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AZIMAGEBUILDER_"))}
    for name in (
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
    ):
        keep.pop(name, None)
    keep["AZURE_CONFIG_DIR"] = str(tmp_path / "no-az")
    return keep


def cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "azimagebuilder", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[dict[str, str]]:
    """``azimagebuilder emulator`` in a child process; yields what it printed (base_url, ca_cert, ...)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", "emulator", "--build-duration", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(tmp_path),
    )
    assert proc.stdout is not None
    printed: dict[str, str] = {}
    for line in proc.stdout:
        if line.startswith("azimagebuilder emulator ready"):
            break
        key, _, value = line.partition(": ")
        printed[key] = value.strip()
    try:
        assert {"base_url", "ca_cert", "subscription_id"} <= set(printed)
        yield printed
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


@pytest.mark.slow
def test_build_copy_vhd_out_and_read_the_log(emulator: dict[str, str], tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    target = [
        "--emulator",
        "--base-url",
        emulator["base_url"],
        "--ca-cert",
        emulator["ca_cert"],
        "--subscription",
        emulator["subscription_id"],
    ]
    destination = f"{emulator['base_url']}/mycopies/images"
    built = cli(
        env,
        "build",
        str(EXAMPLE),
        "-g",
        "demo",
        "-n",
        "ubuntu",
        *target,
        "--copy-vhd-to",
        destination,
        "-o",
        "json",
    )
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    document = json.loads(built.stdout)
    vhd = document["outputs"]["vhd"]
    assert vhd["artifactUri"].startswith(emulator["base_url"] + "/")
    assert vhd["copiedTo"].startswith(destination + "/")
    assert "copied and verified" in built.stderr

    logs = cli(env, "logs", "demo", "ubuntu", *target)
    assert logs.returncode == 0, logs.stderr
    assert "Running provisioner: shell (upgrade)" in logs.stdout
    assert logs.stderr == ""

    # The copy is real: the template carries the tag that lets `delete` go ahead without --force.
    deleted = cli(env, "delete", "-g", "demo", "-n", "ubuntu", *target, "-o", "json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["state"] == "Deleted"


@pytest.mark.azurite
def test_emulator_azurite_puts_logs_and_vhds_in_a_running_azurite(
    azurite: AzuriteBlob,  # noqa: F811
    tmp_path: Path,
) -> None:
    account = azurite.account("ibstaging")
    env = {**clean_env(tmp_path), "AZURE_STORAGE_KEY": account.key}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "azimagebuilder",
            "emulator",
            "--build-duration",
            "0.2",
            "--azurite",
            account.blob_endpoint,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    printed: dict[str, str] = {}
    for line in proc.stdout:
        if line.startswith("azimagebuilder emulator ready"):
            break
        key, _, value = line.partition(": ")
        printed[key] = value.strip()
    try:
        target = ["--emulator", "--base-url", printed["base_url"], "--ca-cert", printed["ca_cert"]]
        target += ["--subscription", printed["subscription_id"]]
        built = cli(env, "build", str(EXAMPLE), "-g", "demo", "-n", "inazurite", *target, "-o", "json")
        assert built.returncode == 0, built.stderr
        vhd = json.loads(built.stdout)["outputs"]["vhd"]["artifactUri"]
        assert vhd.startswith(account.blob_endpoint.rstrip("/") + "/vhds/")
        blob = vhd[len(account.blob_endpoint.rstrip("/") + "/vhds/") :]
        assert account.service_client().get_blob_client("vhds", blob).get_blob_properties().size > 0
        logs = cli(env, "logs", "demo", "inazurite", *target)  # the key in $AZURE_STORAGE_KEY reads it
        assert logs.returncode == 0, logs.stderr
        assert "Running provisioner: shell (upgrade)" in logs.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
