"""``azimagebuilder preflight``: a template checked locally and against the in-process emulator."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder.cli import _preflight
from azimagebuilder.emulator import Emulator

RG = "imageRG"


def run(*argv: str) -> int:
    """The subcommand on a parser of its own (as ``azimagebuilder.cli`` wires it)."""
    parser = argparse.ArgumentParser(prog="azimagebuilder")
    _preflight.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["preflight", *argv])
    status: int = args.func(args)
    return status


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for the module, with the resource group RG."""
    from azure.mgmt.resource.resources import ResourceManagementClient

    with Emulator(build_duration=0) as emulator:
        with ResourceManagementClient(
            emulator.credential,
            emulator.subscription_id,
            base_url=emulator.base_url,
            connection_verify=emulator.ca_cert,
        ) as client:
            client.resource_groups.create_or_update(RG, {"location": "westus2"})
        yield emulator


@pytest.fixture
def target(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The arguments that point the command at the emulator."""
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    return [
        "--subscription",
        emu.subscription_id,
        "--emulator",
        "--base-url",
        emu.base_url,
        "--ca-cert",
        emu.ca_cert,
    ]


def document(emu: Emulator, source: dict[str, Any] | None = None) -> dict[str, Any]:
    image_id = (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/Microsoft.Compute/images/out"
    )
    return {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2019-05-01-preview",
        "location": "westus2",
        "properties": {
            "source": source
            or {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "18.04-LTS",
                "version": "latest",
            },
            "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
            "distribute": [
                {"type": "ManagedImage", "runOutputName": "img", "imageId": image_id, "location": "westus2"},
                {"type": "VHD", "runOutputName": "vhd"},
            ],
        },
    }


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], str]:
    def write(content: Any) -> str:
        path = tmp_path / f"t{len(list(tmp_path.iterdir()))}.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return str(path)

    return write


def json_out(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return result


def test_a_good_template_passes(
    emu: Emulator, target: list[str], write: Callable[[Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(document(emu))
    assert run(path, *target, "--resource-group", RG) == 0
    assert capsys.readouterr().out == f"{path}: OK\n"
    assert run(path, *target, "--resource-group", RG, "--format", "json") == 0
    assert json_out(capsys) == [{"file": path, "errors": [], "warnings": []}]


def test_default_azure_credential_is_used_without_emulator(
    emu: Emulator,
    write: Callable[[Any], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azure.identity

    from azimagebuilder.emulator._credential import EmulatorCredential

    made: list[Any] = []

    def default_credential() -> Any:
        made.append(EmulatorCredential())  # the emulator takes any token
        return made[-1]

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", default_credential)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", emu.subscription_id)  # instead of --subscription
    path = write(document(emu))
    assert run(path, "--base-url", emu.base_url, "--ca-cert", emu.ca_cert) == 0
    assert len(made) == 1
    assert capsys.readouterr().out == f"{path}: OK\n"


def test_a_missing_source_image_is_an_error_at_its_path(
    emu: Emulator, target: list[str], write: Callable[[Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = (
        f"/subscriptions/{emu.subscription_id}/resourceGroups/{RG}/providers/Microsoft.Compute/images/nope"
    )
    path = write(document(emu, {"type": "ManagedImage", "imageId": missing}))
    assert run(path, *target, "--format", "json") == 1
    [result] = json_out(capsys)
    assert result["file"] == path
    assert [(p["path"], p["code"]) for p in result["errors"]] == [
        ("properties.source.imageId", "source-image-not-found")
    ]
    assert set(result["errors"][0]) == {"path", "code", "message"}

    assert run(path, *target) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: 1 error(s)"
    assert lines[1].startswith("  error: properties.source.imageId: managed image nope was not found")
    assert lines[1].endswith(" [source-image-not-found]")


def test_a_missing_resource_group_is_an_error_of_the_template(
    emu: Emulator, target: list[str], write: Callable[[Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(document(emu))
    assert run(path, *target, "--resource-group", "nope") == 1
    out = capsys.readouterr().out
    assert out == (
        f"{path}: 1 error(s)\n"
        "  error: <template>: resource group nope does not exist; create it before creating the template "
        "[template-resource-group-not-found]\n"
    )
    assert run(path, *target, "--resource-group", "nope", "--format", "json") == 1
    [result] = json_out(capsys)
    assert [(p["path"], p["code"]) for p in result["errors"]] == [("", "template-resource-group-not-found")]


def test_bad_files_fail_as_validate_reports_them_without_asking_azure(
    target: list[str],
    write: Callable[[Any], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from azimagebuilder.cli import _validate

    def no_azure(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a template with errors must not be checked against Azure")

    monkeypatch.setattr(_preflight, "_check_with_azure", no_azure)
    invalid = write({"location": "westus2", "properties": {"source": {"type": "PlatformImage"}}})
    for path in (str(tmp_path / "missing.json"), write("{ this is not json"), invalid):
        for output in ("text", "json"):
            assert run(path, *target, "--format", output) == 3
            captured = capsys.readouterr()
            assert "the checks against Azure run once they are fixed" in captured.err
            # The same report, in the same shape, as `azimagebuilder validate` prints.
            parser = argparse.ArgumentParser()
            _validate.register(parser.add_subparsers())
            args = parser.parse_args(["validate", path, "--format", output])
            assert args.func(args) == 3
            assert captured.out == capsys.readouterr().out
            assert captured.out.strip()


def test_stdin(
    emu: Emulator, target: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(document(emu)).encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    assert run("-", *target, "--resource-group", RG) == 0
    assert capsys.readouterr().out == "-: OK\n"


def test_azure_that_cannot_be_reached_is_an_error_not_a_traceback(
    emu: Emulator,
    write: Callable[[Any], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The emulator, but without trusting its certificate: the TLS handshake fails, as a wrong endpoint would.
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    # The Azure SDK clients still retry the handshake; only their back-off waits (about 5 s) are skipped.
    from azure.core.pipeline.policies import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "_sleep_backoff", lambda self, settings, transport: None)
    path = write(document(emu))
    argv = ["--subscription", emu.subscription_id, "--emulator", "--base-url", emu.base_url]
    assert run(path, *argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("azimagebuilder preflight: could not check the template against Azure: ")
    assert "TLS certificate is not trusted" in captured.err
    assert "--ca-cert" in captured.err


def test_usage_errors(
    emu: Emulator,
    write: Callable[[Any], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    path = write(document(emu))
    assert run(path) == 2
    assert "--subscription" in capsys.readouterr().err
    assert run(path, "--subscription", "s", "--emulator") == 2
    assert "--base-url" in capsys.readouterr().err
    assert run(path, "--subscription", "s", "--ca-cert", path + ".nope") == 2
    assert "--ca-cert" in capsys.readouterr().err
    for argv in ([], [path, "--format", "yaml"], [path, "--no-such-option"]):
        with pytest.raises(SystemExit) as exit_info:
            run(*argv)
        assert exit_info.value.code == 2
    capsys.readouterr()
