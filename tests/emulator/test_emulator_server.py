"""The server itself: TLS, credential, concurrency, the command line and the light package import."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from emulator_support import PREVIEW, Arm, template_body

from azimagebuilder.emulator import Emulator, Request, Response, Router


def test_certificate_is_valid_for_127_0_0_1_and_localhost(arm: Arm) -> None:
    context = ssl.create_default_context(cafile=arm.emulator.ca_cert)
    for host in ("127.0.0.1", "localhost"):
        with (
            socket.create_connection(("127.0.0.1", arm.emulator.port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(arm.emulator.base_url + "/", timeout=10, verify=True)  # not trusted by default


def test_credential_is_an_azure_core_token_credential(arm: Arm) -> None:
    from azure.core.credentials import AccessToken, TokenCredential

    credential = arm.emulator.credential
    assert isinstance(credential, TokenCredential)
    token = credential.get_token("https://management.azure.com/.default")
    assert isinstance(token, AccessToken)
    assert token.expires_on > time.time() + 600
    assert token.token not in repr(credential)


async def test_async_credential(arm: Arm) -> None:
    token = await arm.emulator.async_credential.get_token("https://management.azure.com/.default")
    assert token.token.startswith("emulator-")


@pytest.mark.slow
def test_200_concurrent_clients_without_errors(arm: Arm) -> None:
    """Many clients at once: 200 threads each create, read and run a template over their own connection."""

    def lifecycle(index: int) -> int:
        with requests.Session() as session:
            session.headers["Authorization"] = "Bearer concurrent"
            url = arm.emulator.base_url + arm.path(f"t{index}") + f"?api-version={PREVIEW}"
            put = session.put(url, json=template_body(), verify=arm.emulator.ca_cert, timeout=60)
            got = session.get(url, verify=arm.emulator.ca_cert, timeout=60)
            run = session.post(url.replace("?", "/run?"), verify=arm.emulator.ca_cert, timeout=60)
            return int(put.status_code == 201 and got.status_code == 200 and run.status_code == 202)

    with ThreadPoolExecutor(max_workers=200) as pool:
        assert sum(pool.map(lifecycle, range(200))) == 200


def test_a_provider_module_can_be_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/emulator.md, Adding a provider: a module with register(router, context) serves its routes behind
    the shared front door (token, api-version, registration switch)."""
    (tmp_path / "example_provider.py").write_text(
        "from azimagebuilder.emulator import Response\n"
        "def register(router, context):\n"
        "    def hello(request, params):\n"
        "        build = context.settings.build_duration\n"
        "        return Response.json(200, {'hello': params['name'], 'build': build})\n"
        "    path = '/subscriptions/{subscriptionId}/providers/Microsoft.Example/hello/{name}'\n"
        "    router.add('GET', path, hello, name='hello.get', namespace='Microsoft.Example')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with Emulator(build_duration=0, providers=["example_provider"]) as emu:
        url = f"{emu.base_url}/subscriptions/{emu.subscription_id}/providers/microsoft.example/hello/you"
        headers = {"Authorization": "Bearer x"}
        ok = requests.get(url + "?api-version=2020-01-01", headers=headers, verify=emu.ca_cert, timeout=10)
        assert ok.json() == {"hello": "you", "build": 0.0}
        assert requests.get(url, headers=headers, verify=emu.ca_cert, timeout=10).status_code == 400
        emu.unregister_provider("Microsoft.Example")
        refused = requests.get(
            url + "?api-version=2020-01-01", headers=headers, verify=emu.ca_cert, timeout=10
        )
        assert refused.status_code == 409


def test_router_refuses_duplicate_routes() -> None:
    router = Router()

    def handler(request: Request, params: dict[str, str]) -> Response:
        return Response.empty(204)

    router.add("GET", "/a/{x}", handler, name="a")
    with pytest.raises(ValueError, match="already registered"):
        router.add("get", "/A/{y}", handler, name="b")


def test_stop_is_clean_and_the_port_is_released() -> None:
    emu = Emulator(build_duration=0).start()
    port = emu.port
    assert emu.running
    ca_dir = Path(emu.ca_cert).parent
    emu.stop()
    assert not emu.running
    assert not ca_dir.exists()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.base_url
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_import_azimagebuilder_does_not_import_the_emulator() -> None:
    code = (
        "import sys, azimagebuilder; print(any(m.startswith('azimagebuilder.emulator') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_emulator_does_not_use_the_client_code() -> None:
    """docs/architecture.md: the emulator reuses models and validation but none of the client."""
    code = (
        "import sys\n"
        "from azimagebuilder.emulator import Emulator\n"
        "with Emulator(build_duration=0):\n"
        "    pass\n"
        "bad = [m for m in sys.modules if m.startswith(('azimagebuilder._client', 'azimagebuilder.aio',"
        " 'azimagebuilder._operations', 'azimagebuilder._polling', 'azure.mgmt'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_cli(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", "emulator", "--build-duration", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # As from a terminal, where Ctrl-C works: a run started in the background (`pytest &`, some CI
        # shells) inherits SIGINT ignored, and then Python would never raise KeyboardInterrupt in the child.
        preexec_fn=_sigint_as_in_a_terminal,
    )
    info: dict[str, str] = {}
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if "ready" in line:
            return process, info
        key, _, value = line.partition(": ")
        info[key] = value.strip()
    process.kill()
    raise AssertionError(
        f"the emulator did not get ready: {info} {process.stderr.read() if process.stderr else ''}"
    )


def test_cli_serves_until_sigterm_and_keeps_state(tmp_path: Path) -> None:
    """`azimagebuilder emulator` prints base URL, CA path and a ready line, serves, and stops cleanly on
    SIGTERM
    (exit 0); with --state a template created before the stop is there after a restart."""
    state = tmp_path / "state.json"
    process, info = _start_cli("--state", str(state), "--api-versions", "2019-05-01-preview,2024-02-01")
    try:
        assert info["base_url"].startswith("https://127.0.0.1:")
        assert Path(info["ca_cert"]).is_file()
        url = info["base_url"] + Arm.path(None, "cli") + f"?api-version={PREVIEW}"  # type: ignore[arg-type]
        headers = {"Authorization": "Bearer cli"}
        put = requests.put(url, json=template_body(), headers=headers, verify=info["ca_cert"], timeout=30)
        assert put.status_code == 201
        refused = requests.get(
            url.replace(PREVIEW, "2022-07-01"), headers=headers, verify=info["ca_cert"], timeout=30
        )
        assert refused.json()["error"]["code"] == "NoRegisteredProviderFound"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopping" in out
    assert not Path(info["ca_cert"]).exists()

    again, info2 = _start_cli("--state", str(state))
    try:
        url = info2["base_url"] + Arm.path(None, "cli") + f"?api-version={PREVIEW}"  # type: ignore[arg-type]
        got = requests.get(url, headers={"Authorization": "Bearer cli"}, verify=info2["ca_cert"], timeout=30)
        assert got.status_code == 200
        assert got.json()["name"] == "cli"
    finally:
        again.send_signal(signal.SIGINT)  # Ctrl-C
        again.communicate(timeout=30)
    assert again.returncode == 0


def test_cli_refuses_bad_arguments(tmp_path: Path) -> None:
    bad = tmp_path / "state.json"
    bad.write_text("not json")
    for args in (["--scenario", "explode"], ["--fault", "x=418"], ["--state", str(bad)]):
        done = subprocess.run(
            [sys.executable, "-m", "azimagebuilder", "emulator", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, args
        assert "azimagebuilder emulator:" in done.stderr


def test_cli_help_lists_the_options() -> None:
    import argparse

    from azimagebuilder.cli import _emulator

    parser = argparse.ArgumentParser(prog="azimagebuilder")
    _emulator.register(parser.add_subparsers())  # only this subcommand: others may be mid-edit
    args = parser.parse_args(["emulator", "--port", "8443", "--build-duration", "2", "--fault", "*=500@0.5"])
    assert (args.port, args.build_duration, args.fault) == (8443, 2.0, ["*=500@0.5"])
    args = parser.parse_args(["emulator", "--api-versions", "2022-07-01, 2024-02-01", "--page-size", "7"])
    assert (args.api_versions, args.page_size) == ("2022-07-01, 2024-02-01", 7)


def test_state_file_holds_no_token(make_arm: Any, tmp_path: Path) -> None:
    """Secrets never in logs or files: the bearer token is not stored anywhere in the state."""
    state = tmp_path / "state.json"
    arm = make_arm(state_file=state)
    arm.create()
    token = arm.session.headers["Authorization"].split(" ", 1)[1]
    assert token not in state.read_text()
    assert json.loads(state.read_text())["sections"]


def test_debug_logs_hold_no_token(arm: Arm, caplog: pytest.LogCaptureFixture) -> None:
    """Secrets never in logs: at DEBUG the emulator logs request lines, never the Authorization header."""
    import logging

    token = arm.session.headers["Authorization"].split(" ", 1)[1]
    with caplog.at_level(logging.DEBUG, logger="azimagebuilder.emulator"):
        arm.create()
        arm.call("GET", arm.path())
    assert any("PUT" in r.getMessage() for r in caplog.records)
    assert all(token not in r.getMessage() for r in caplog.records)


def test_oversized_bodies_are_refused_and_chunked_ones_read(arm: Arm) -> None:
    """The emulator reads bodies of at most 4 MiB (by Content-Length or chunked) and refuses larger ones in
    ARM's error shape."""
    import http.client

    context = ssl.create_default_context(cafile=arm.emulator.ca_cert)
    connection = http.client.HTTPSConnection("127.0.0.1", arm.emulator.port, context=context, timeout=30)
    try:
        connection.putrequest("PUT", arm.path() + f"?api-version={PREVIEW}")
        connection.putheader("Authorization", "Bearer x")
        connection.putheader("Content-Length", str(5 * 1024 * 1024))
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 413
        assert json.loads(answer.read())["error"]["code"] == "InvalidRequestContent"
    finally:
        connection.close()
    text = json.dumps(template_body()).encode()
    chunked = arm.session.put(
        arm.emulator.base_url + arm.path() + f"?api-version={PREVIEW}",
        data=iter([text[:100], text[100:]]),  # a generator body goes out chunked
        verify=arm.emulator.ca_cert,
        timeout=30,
    )
    assert chunked.request.headers["Transfer-Encoding"] == "chunked"
    assert chunked.status_code == 201
