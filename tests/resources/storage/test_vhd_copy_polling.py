"""The copy-status loop: Azurite finishes copies at once, so these tests make the real destination client
report 'pending' (then 'success' or 'failed') for a few polls, as Azure does for a large VHD."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from azimagebuilder.resources import VhdCopyError, copy_vhd
from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.testing.azurite import AzuriteBlob

pytestmark = pytest.mark.azurite


@pytest.fixture
def source_url(azurite: AzuriteBlob, request: pytest.FixtureRequest) -> str:
    staging = azurite.account("ibstaging")
    store = BlobArtifactStore(staging.blob_endpoint, staging.credential, vhd_size=1024 * 1024 + 512)
    return store.put_vhd(f"/t/{request.node.name}", "vhd", b"")


def _destination(azurite: AzuriteBlob, request: pytest.FixtureRequest, name: str) -> Any:
    container = "p" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]
    service = azurite.service_client("userstore")
    if not service.get_container_client(container).exists():
        service.create_container(container)
    return service.get_blob_client(container, name)


def _report_pending(dst: Any, polls: int, final: str = "success", description: str = "") -> list[str]:
    """Make ``dst`` report a pending copy for ``polls`` property reads after the start, then ``final``."""
    real_start, real_props = dst.start_copy_from_url, dst.get_blob_properties
    calls: list[str] = []
    state = {"reads": 0, "started": False}

    def start_copy_from_url(url: str, **kwargs: Any) -> dict[str, Any]:
        answer = dict(real_start(url, **kwargs))
        state["started"] = True
        calls.append("start")
        return {**answer, "copy_status": "pending"}

    def get_blob_properties(**kwargs: Any) -> Any:
        props = real_props(**kwargs)
        if state["started"]:
            state["reads"] += 1
            total = props.size
            if state["reads"] <= polls:
                props.copy.status = "pending"
                props.copy.progress = f"{total * state['reads'] // (polls + 1)}/{total}"
            elif final != "success":
                props.copy.status = final
                props.copy.status_description = description
        return props

    def abort_copy(copy_id: Any, **kwargs: Any) -> None:
        calls.append(f"abort {copy_id}")

    dst.start_copy_from_url = start_copy_from_url
    dst.get_blob_properties = get_blob_properties
    dst.abort_copy = abort_copy
    return calls


def test_waits_while_pending_and_reports_progress(
    azurite: AzuriteBlob, source_url: str, request: pytest.FixtureRequest
) -> None:
    dst = _destination(azurite, request, "slow.vhd")
    _report_pending(dst, polls=3)
    seen: list[tuple[int, int]] = []
    result = copy_vhd(
        source_url,
        dst,
        source_credential=azurite.account("ibstaging").credential,
        poll_interval=0,
        progress=lambda done, total: seen.append((done, total)),
    )
    total = 1024 * 1024 + 512
    assert seen == [(total // 4, total), (total // 2, total), (3 * total // 4, total), (total, total)]
    assert result.size == total


def test_a_copy_that_takes_too_long_is_aborted(
    azurite: AzuriteBlob, source_url: str, request: pytest.FixtureRequest
) -> None:
    dst = _destination(azurite, request, "stuck.vhd")
    calls = _report_pending(dst, polls=10**6)
    with pytest.raises(VhdCopyError, match=r"did not finish within 0\.05 s; it was aborted"):
        copy_vhd(
            source_url,
            dst,
            source_credential=azurite.account("ibstaging").credential,
            poll_interval=0.01,
            timeout=0.05,
        )
    assert calls[0] == "start"
    assert calls[-1].startswith("abort ")
    assert len(calls[-1]) > len("abort ")


def test_a_failed_copy_says_why(
    azurite: AzuriteBlob, source_url: str, request: pytest.FixtureRequest
) -> None:
    dst = _destination(azurite, request, "failed.vhd")
    _report_pending(dst, polls=1, final="failed", description="500 InternalError reading the source")
    with pytest.raises(VhdCopyError, match="ended failed: 500 InternalError reading the source"):
        copy_vhd(source_url, dst, source_credential=azurite.account("ibstaging").credential, poll_interval=0)
