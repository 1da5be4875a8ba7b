"""Bad invocations of every command end with an exit code from the table, one or two lines on stderr,
and never a traceback (issue: "never a traceback")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import SUB, current_template

from azimagebuilder.cli import main
from azimagebuilder.cli._common import EXIT_CODES
from azimagebuilder.emulator import Emulator

GOOD: dict[str, Any] = current_template()
#: Environment variables through which a credential or a trusted CA could be found.
CREDENTIAL_ENV = (
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_SUBSCRIPTION_ID",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("bad")
    invalid = json.loads(json.dumps(GOOD))
    del invalid["identity"]  # one error at 2024-02-01: identity-required
    local = json.loads(json.dumps(GOOD))
    local["properties"]["customize"] = [{"type": "Shell", "name": "s", "scriptUri": "setup.sh"}]
    made = {"good": GOOD, "invalid": invalid, "local": local}
    paths = {}
    for name, doc in made.items():
        path = root / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths[name] = str(path)
    (root / "notjson.json").write_text("{ nope", encoding="utf-8")
    paths["notjson"] = str(root / "notjson.json")
    paths["missing"] = str(root / "missing.json")
    return paths


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(build_duration=0) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No login of any kind: no environment credential, no az CLI cache, no trusted extra CA."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "no-az"))
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh to ask


def cases(files: dict[str, str], emu: Emulator) -> list[tuple[list[str], int]]:
    f, invalid, local = files["good"], files["invalid"], files["local"]
    at = ["--emulator", "--base-url", emu.base_url, "--ca-cert", emu.ca_cert, "--subscription", SUB]
    t = ["-g", "rg", "-n", "t"]
    missing = ["-g", "rg", "-n", "missing", *at]
    return [
        # usage errors: 2
        ([], 2),
        (["nope"], 2),
        (["validate"], 2),
        (["validate", f, "--format", "xml"], 2),
        (["validate", f, "--api-version", "2000-01-01"], 2),
        (["validate", f, "--parameters", files["missing"]], 2),
        (["validate", f, "--set", "novalue"], 2),
        (["schema", "--indent", "-1"], 2),
        (["schema", "--indent", "x"], 2),
        (["emulator", "--port", "99999"], 2),
        (["emulator", "--port", "-1"], 2),
        (["emulator", "--build-duration", "-1"], 2),
        (["emulator", "--build-duration", "nan"], 2),
        (["emulator", "--page-size", "0"], 2),
        (["emulator", "--seed", "-3"], 2),
        (["emulator", "--scenario", "explode"], 2),
        (["emulator", "--fault", "bogus"], 2),
        (["demo", "--build-duration", "-1"], 2),
        (["demo", "--build-duration", "1e309"], 2),
        (["demo", "--polling-interval", "0"], 2),
        (["build"], 2),
        (["build", f, "-g", "rg"], 2),
        (["build", f, "-g", "rg", "-n", "bad name!"], 2),
        (["build", f, "-g", "bad/rg", "-n", "t"], 2),
        (["build", f, *t, "--subscription", "not-a-guid"], 2),
        (["build", f, *t, "--timeout", "-5"], 2),
        (["build", f, *t, "--timeout", "0"], 2),
        (["build", f, *t, "--api-version", "1999-01-01"], 2),
        (["build", f, *t, "--output", "yaml"], 2),
        (
            [
                "build",
                f,
                *t,
                "--subscription",
                SUB,
                "--base-url",
                emu.base_url,
                "--ca-cert",
                files["missing"],
            ],
            2,
        ),
        (["build", f, *t, "--subscription", SUB, "--base-url", "not a url"], 2),
        (["build", f, *t, "--emulator", "--copy-vhd-to", "mycontainer"], 2),
        (["build", f, *t, "--emulator", "--set", "novalue"], 2),
        (["build", f, *t], 2),  # no subscription
        (["run", "-g", "rg"], 2),
        (["run", *t, "--timeout", "abc"], 2),
        (["cancel", "-n", "t"], 2),
        (["status", *t, "--polling-interval", "-1"], 2),
        (["status", *t], 2),  # no subscription
        (["outputs", *t, "--subscription", "1234"], 2),
        (["show", "-g", "rg", "-n", "x" * 65], 2),
        (["list", "--subscription", "xyz"], 2),
        (["delete", *t, "--force", "--bogus"], 2),
        (["logs", "rg"], 2),
        (["logs", "rg", "t", "--poll", "-1"], 2),
        (["logs", "rg", "t", "--subscription", "nope"], 2),
        (["logs", "rg", "t", "--emulator", "--subscription", SUB], 2),
        (["preflight"], 2),
        (["preflight", f, "--subscription", "not-a-guid"], 2),
        (["preflight", f], 2),  # no subscription
        # the template is invalid: 3
        (["validate", files["missing"]], 3),
        (["validate", files["notjson"]], 3),
        (["validate", invalid], 3),
        (["build", invalid, *t, "--emulator"], 3),
        (["build", invalid, *t, "--subscription", SUB], 3),  # checked before asking for a credential
        (["build", files["missing"], *t, "--emulator"], 3),
        (["build", files["notjson"], *t, "--emulator"], 3),
        (["build", local, *t, "--emulator"], 3),  # a local script and no --scripts-account
        (["preflight", invalid, *at], 3),
        # failed: 1 (no credential, unreachable, untrusted, not found)
        (["status", *t, "--subscription", SUB], 1),
        (["list", "--subscription", SUB], 1),
        (["preflight", f, "--subscription", SUB], 1),
        (["logs", "rg", "t", "--subscription", SUB], 1),
        (["logs", "rg", "t", "--storage-url", "https://127.0.0.1:1/acct", "--subscription", SUB], 1),
        (["list", "--subscription", SUB, "--emulator", "--base-url", "https://127.0.0.1:1"], 1),
        (["logs", "rg", "t", "--subscription", SUB, "--emulator", "--base-url", "https://127.0.0.1:1"], 1),
        (["preflight", f, "--subscription", SUB, "--emulator", "--base-url", "https://127.0.0.1:1"], 1),
        (["show", *t, "--subscription", SUB, "--emulator", "--base-url", emu.base_url], 1),  # CA not trusted
        (["show", *missing], 1),
        (["status", *missing], 1),
        (["outputs", *missing], 1),
        (["cancel", *missing], 1),
        (["delete", *missing], 1),
        (["run", *missing], 1),
        (["logs", "rg", "missing", *at], 1),
    ]


def test_the_table_covers_every_expected_code() -> None:
    assert {code for code, _, _ in EXIT_CODES} >= {1, 2, 3}


# Under pytest's --block-network, azure-identity's managed-identity probe (a connect to 169.254.169.254)
# gets a non-OSError from the blocked socket.connect, and urllib3 leaves that socket to the garbage collector.
# Outside the tests the probe fails with an OSError and nothing leaks (test_..._in_a_clean_process).
LEAKED_PROBE_SOCKET = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retries of an unreachable or untrusted endpoint still happen, without their back-off (about
    1.5 s a command): what is checked is how each command ends. azure-core's policy is the base of the
    library's and of the azure-mgmt-* clients' (preflight)."""
    from azure.core.pipeline.policies import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "get_backoff_time", lambda self, settings: 0.0)


@LEAKED_PROBE_SOCKET
@pytest.mark.usefixtures("no_retry_waits")
def test_sixty_bad_invocations(
    files: dict[str, str], emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    table = {code for code, _, _ in EXIT_CODES}
    checked = cases(files, emu)
    assert len(checked) >= 60
    wrong = []
    for argv, expected in checked:
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's own exits
            status = int(exc.code or 0)
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        problems = []
        if status != expected or status not in table:
            problems.append(f"exit {status}, expected {expected}")
        if not 1 <= len(lines) <= 2:
            problems.append(f"{len(lines)} stderr lines")
        if "Traceback" in captured.err or "Traceback" in captured.out:
            problems.append("a traceback")
        if problems:
            wrong.append(f"{' '.join(argv[:4])}...: {', '.join(problems)}: {captured.err[:300]!r}")
    assert not wrong, "\n".join(wrong)


@LEAKED_PROBE_SOCKET
def test_no_credential_says_so_in_one_line(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preflight", files["good"], "--subscription", SUB]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no Azure credential found" in err
    assert "az login" in err
    assert "managed identity" in err
    assert "EnvironmentCredential" not in err


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    env["AZURE_CONFIG_DIR"] = str(tmp_path / "no-az")
    env["PATH"] = os.path.dirname(sys.executable)  # python only: no az, azd or pwsh
    return env


@pytest.mark.parametrize("argv", [["schema"], ["validate", "--format", "json", "{good}", "{good}"]])
def test_a_closed_pipe_ends_quietly(files: dict[str, str], argv: list[str], tmp_path: Path) -> None:
    argv = [a.replace("{good}", files["good"]) for a in argv]
    proc = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(tmp_path),
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    status = proc.wait(timeout=60)
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err
    assert status in (0, 1)


def test_preflight_without_a_credential_in_a_clean_process(files: dict[str, str], tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "azimagebuilder", "preflight", files["good"], "--subscription", SUB],
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("azimagebuilder preflight: no Azure credential found: run `az login`")
    assert proc.stderr.count("\n") == 1


@pytest.mark.slow
def test_ctrl_c_during_a_build_in_a_real_process(files: dict[str, str], tmp_path: Path) -> None:
    # 5 s: the template's creation takes a fifth of it (1 s), and the run (Queued 0.5 s, then Building 1.5 s)
    # outlasts the Ctrl-C sent at its first line by far.
    argv = ["build", files["good"], "-g", "rg", "-n", "t", "--emulator", "--emulator-build-duration", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(tmp_path),
        # As from a terminal: a suite started in the background (`pytest &`, some CI shells) inherits SIGINT
        # ignored, and the child would then never see the Ctrl-C.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "Queued" in line or "Building" in line:  # the run has started
            break
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in rest
    assert "goes on in Azure" in rest
    assert "azimagebuilder cancel -g rg -n t" in rest
    assert "client.begin_run" not in rest  # build()'s line for Python callers is not shown
