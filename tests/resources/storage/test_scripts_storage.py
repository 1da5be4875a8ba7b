"""Script upload and checksums against a real Azurite blob service."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from azimagebuilder.resources import (
    sha256_of_file,
    sha256_of_url,
    upload_file,
    upload_folder,
    upload_powershell_script,
    upload_shell_script,
)
from azimagebuilder.resources.scripts import ScriptUploadError, _NoDowngradeRedirects
from azimagebuilder.testing.azurite import AzuriteBlob

pytestmark = pytest.mark.azurite


@pytest.fixture
def container_url(azurite: AzuriteBlob, request: pytest.FixtureRequest) -> str:
    name = "s" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]
    azurite.service_client("userstore").create_container(name)
    return f"{azurite.account('userstore').blob_endpoint}/{name}"


def _download(azurite: AzuriteBlob, url: str) -> bytes:
    from azure.storage.blob import BlobClient

    return (
        BlobClient.from_blob_url(url, credential=azurite.account("userstore").credential)
        .download_blob()
        .readall()
    )


def test_sha256_of_file_matches_sha256sum(tmp_path: Path) -> None:
    script = tmp_path / "hello.sh"
    script.write_bytes(b"echo hello\n")
    # the value `printf 'echo hello\n' | sha256sum` prints
    assert sha256_of_file(script) == "5dbad7dd0b9b122dcd9956884390f4aac4738caba8ff53498a7ab6718b176c30"


def test_sha256_of_file_streams_large_files(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_of_file(path) == hashlib.sha256(data).hexdigest()


def test_upload_shell_script_puts_the_bytes_and_their_checksum(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "setup.sh"
    script.write_bytes(b"#!/bin/bash\nset -e\napt-get update\n")
    step = upload_shell_script(script, container_url, credential=azurite.account("userstore").credential)

    assert step.type == "Shell"
    assert step.name == "setup.sh"
    assert step.script_uri == f"{container_url}/setup.sh"
    blob_bytes = _download(azurite, step.script_uri)
    assert blob_bytes == script.read_bytes()
    assert step.sha256_checksum == hashlib.sha256(blob_bytes).hexdigest()
    wire = step.model_dump(by_alias=True, exclude_none=True)
    assert wire["scriptUri"] == step.script_uri
    assert wire["sha256Checksum"] == step.sha256_checksum


def test_upload_powershell_and_file_customizers(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    cred = azurite.account("userstore").credential
    ps1 = tmp_path / "setup.ps1"
    ps1.write_text("Write-Output 'hi'\r\n")
    conf = tmp_path / "app.conf"
    conf.write_bytes(b"key=value\n")

    ps_step = upload_powershell_script(ps1, container_url, credential=cred, name="ps")
    file_step = upload_file(conf, container_url, credential=cred, destination="/tmp/app.conf")

    assert (ps_step.type, ps_step.name) == ("PowerShell", "ps")
    assert _download(azurite, ps_step.script_uri or "") == ps1.read_bytes()
    assert ps_step.sha256_checksum == hashlib.sha256(ps1.read_bytes()).hexdigest()
    assert file_step.type == "File"
    assert file_step.destination == "/tmp/app.conf"
    assert _download(azurite, file_step.source_uri or "") == b"key=value\n"
    assert file_step.sha256_checksum == hashlib.sha256(b"key=value\n").hexdigest()


def test_upload_refuses_to_replace_different_content_unless_asked(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    cred = azurite.account("userstore").credential
    script = tmp_path / "a.sh"
    script.write_bytes(b"echo one\n")
    first = upload_shell_script(script, container_url, credential=cred)
    # identical bytes: accepted, not uploaded again (the blob keeps its etag)
    etag = (
        azurite.service_client("userstore")
        .get_blob_client(container_url.rsplit("/", 1)[1], "a.sh")
        .get_blob_properties()
        .etag
    )
    again = upload_shell_script(script, container_url, credential=cred)
    assert again == first
    assert (
        azurite.service_client("userstore")
        .get_blob_client(container_url.rsplit("/", 1)[1], "a.sh")
        .get_blob_properties()
        .etag
        == etag
    )

    script.write_bytes(b"echo two\n")
    with pytest.raises(ScriptUploadError, match="already exists with different content"):
        upload_shell_script(script, container_url, credential=cred)
    assert _download(azurite, first.script_uri or "") == b"echo one\n"

    replaced = upload_shell_script(script, container_url, credential=cred, overwrite=True)
    assert _download(azurite, replaced.script_uri or "") == b"echo two\n"
    assert replaced.sha256_checksum == hashlib.sha256(b"echo two\n").hexdigest()


def test_upload_creates_the_container_when_asked(azurite: AzuriteBlob, tmp_path: Path) -> None:
    script = tmp_path / "x.sh"
    script.write_bytes(b"true\n")
    url = f"{azurite.account('userstore').blob_endpoint}/created-on-demand"
    step = upload_shell_script(
        script, url, credential=azurite.account("userstore").credential, create_container=True
    )
    assert _download(azurite, step.script_uri or "") == b"true\n"


def test_upload_folder_as_reproducible_archive(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    cred = azurite.account("userstore").credential
    app = tmp_path / "app"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "run.sh").write_bytes(b"#!/bin/sh\necho run\n")
    (app / "bin" / "run.sh").chmod(0o755)
    (app / "README").write_bytes(b"read me\n")

    step = upload_folder(app, container_url, credential=cred)

    assert step.type == "File"
    assert step.destination == "/tmp/app.tar.gz"
    assert step.source_uri == f"{container_url}/app.tar.gz"
    archive = _download(azurite, step.source_uri)
    assert step.sha256_checksum == hashlib.sha256(archive).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        assert tar.getnames() == ["app", "app/README", "app/bin", "app/bin/run.sh"]
        run = tar.getmember("app/bin/run.sh")
        assert run.mode == 0o755
        assert run.mtime == 0
        extracted = tar.extractfile(run)
        assert extracted is not None
        assert extracted.read() == b"#!/bin/sh\necho run\n"

    # Same content, different file times: same archive, so the blob is kept as it is.
    later = datetime.now(timezone.utc).timestamp() + 3600
    for path in app.rglob("*"):
        os.utime(path, (later, later))
    assert upload_folder(app, container_url, credential=cred) == step

    # Different content: a different checksum (and a refusal to replace silently).
    (app / "README").write_bytes(b"changed\n")
    with pytest.raises(ScriptUploadError):
        upload_folder(app, container_url, credential=cred)
    changed = upload_folder(app, container_url, credential=cred, overwrite=True)
    assert changed.sha256_checksum != step.sha256_checksum


def test_sha256_of_url_streams_a_hosted_blob(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    account = azurite.account("userstore")
    data = os.urandom(2 * 1024 * 1024 + 3)
    container = container_url.rsplit("/", 1)[1]
    account.service_client().get_blob_client(container, "hosted.bin").upload_blob(data)
    sas = generate_container_sas(
        account.name,
        container,
        account_key=account.key,
        permission=ContainerSasPermissions(read=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    url = f"{container_url}/hosted.bin?{sas}"

    assert sha256_of_url(url, allow_http=True) == hashlib.sha256(data).hexdigest()

    with pytest.raises(ValueError, match="refusing plain http") as refused:
        sha256_of_url(url)
    assert "sig=" not in str(refused.value)
    with pytest.raises(ScriptUploadError, match="max_bytes") as too_big:
        sha256_of_url(url, allow_http=True, max_bytes=1024 * 1024)
    assert "sig=" not in str(too_big.value)
    with pytest.raises(ScriptUploadError, match="HTTP 404"):
        sha256_of_url(f"{container_url}/missing.bin?{sas}", allow_http=True)


def test_sha256_of_url_refuses_other_schemes() -> None:
    with pytest.raises(ValueError, match="only https"):
        sha256_of_url("file:///etc/passwd")


def test_redirect_from_https_to_http_is_refused() -> None:
    handler = _NoDowngradeRedirects(allow_http=False)
    request = urllib.request.Request("https://example.invalid/script.sh?sig=secret")
    with pytest.raises(ScriptUploadError, match="non-https") as refused:
        handler.redirect_request(request, io.BytesIO(), 302, "Found", {}, "http://example.invalid/x.sh")
    assert "secret" not in str(refused.value)
    allowed = _NoDowngradeRedirects(allow_http=True).redirect_request(
        request, io.BytesIO(), 302, "Found", {}, "http://example.invalid/x.sh"
    )
    assert allowed is not None
    assert allowed.full_url == "http://example.invalid/x.sh"


def test_upload_with_a_sas_container_url_keeps_the_sas_out_of_the_template(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    account = azurite.account("userstore")
    sas = generate_container_sas(
        account.name,
        container_url.rsplit("/", 1)[1],
        account_key=account.key,
        permission=ContainerSasPermissions(read=True, create=True, write=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    script = tmp_path / "sas.sh"
    script.write_bytes(b"echo via sas\n")
    step = upload_shell_script(script, f"{container_url}?{sas}")
    assert step.script_uri == f"{container_url}/sas.sh"
    assert "sig=" not in repr(step)
    assert _download(azurite, step.script_uri) == b"echo via sas\n"


def test_upload_folder_skips_a_socket_and_a_pipe_with_a_warning(
    azurite: AzuriteBlob, container_url: str, tmp_path: Path
) -> None:
    """A folder holding a Unix socket made upload_folder() raise AttributeError."""
    import socket

    cred = azurite.account("userstore").credential
    app = tmp_path / "app"
    app.mkdir()
    (app / "run.sh").write_bytes(b"echo run\n")
    os.mkfifo(app / "pipe")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(app / "agent.sock"))
        with pytest.warns(UserWarning, match="not a file or folder") as caught:
            step = upload_folder(app, container_url, credential=cred)
    finally:
        server.close()
    messages = sorted(str(w.message) for w in caught)
    assert [m.split("/")[-1] for m in messages] == [
        "agent.sock: a socket, not a file or folder",
        "pipe: a named pipe, not a file or folder",
    ]
    with tarfile.open(fileobj=io.BytesIO(_download(azurite, step.source_uri)), mode="r:gz") as tar:
        assert tar.getnames() == ["app", "app/run.sh"]
