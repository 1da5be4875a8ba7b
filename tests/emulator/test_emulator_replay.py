"""Replay the real Azure CLI sessions against the emulator and compare answer for answer.

For every imageTemplates request in ../shared/reference/azure-cli-recordings/*.yaml (the real service,
2019-2020), the same method, path and body are sent to the emulator, in the recorded order, and its answer
is compared with the recorded one: status code, which operation headers are present, and the JSON body.
Values the service derived from things the emulator cannot see are masked on both sides: the sha256Checksum
of a downloaded script (the emulator never downloads), an identity's principalId / clientId, timestamps and
operation GUIDs. Run outputs, template echoes and error shapes must match exactly. The recordings are read
in place (not copied).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.needs_shared

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _text(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, str) and body[:2] in ("b'", 'b"'):
        body = ast.literal_eval(body)  # old vcrpy stored some bodies as the repr of bytes
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body or ""


def _interactions(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [i for i in data["interactions"] if "Microsoft.VirtualMachineImages" in i["request"]["uri"]]


def _mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if key == "sha256Checksum" and isinstance(value, str):
        return "<sha256>" if re.fullmatch(r"[0-9a-f]{64}", value) else value
    if key in ("principalId", "clientId"):
        return "<guid>"
    if key == "name" and isinstance(value, str) and _GUID.fullmatch(value):
        return "<operation>"
    if isinstance(value, str) and _TIME.match(value) and value != "0001-01-01T00:00:00Z":
        return "<time>"
    if key == "message" and isinstance(value, str):
        return _GUID.sub("<guid>", value)  # tenant and subscription ids inside error messages
    return value


def _recordings(shared: Path) -> list[Path]:
    return sorted((shared / "azure-cli-recordings").glob("*.yaml"))


def test_replay_every_recorded_session(shared_reference: Path, make_arm: Any) -> None:
    """Every recorded imageTemplates exchange: the emulator answers with the recorded status, the recorded
    operation headers (Azure-AsyncOperation / Location present or absent) and the recorded body, masked as the
    module docstring says. Operation polls are compared at the end state (the emulator finishes at once)."""
    compared = 0
    for recording in _recordings(shared_reference):
        interactions = _interactions(recording)
        # A session the service refused with 403 LinkedAuthorizationFailed (the identity's subscription in
        # another tenant) is replayed with the emulator's scenario for it.
        refused = any(i["response"]["status"]["code"] == 403 for i in interactions)
        arm = make_arm(scenario="linked-authorization-failed" if refused else None)
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            status = response["status"]["code"]
            uri = request["uri"]
            path = "/" + uri.split("/", 3)[3]
            method = request["method"]
            body_text = _text(request.get("body"))
            if "/operations/" in path:
                # Recorded operation URLs carry the service's GUIDs: the emulator's own are polled below.
                continue
            answer = arm.session.request(
                method,
                arm.emulator.base_url + path,
                data=body_text.encode() if body_text else None,
                headers={"Content-Type": "application/json"} if body_text else None,
                verify=arm.emulator.ca_cert,
                timeout=30,
            )
            where = f"{recording.name}: {method} {path.split('?')[0]}"
            if method == "POST" and path.split("?")[0].endswith("/cancel"):
                # The emulator's run is already over (build_duration=0), so there is nothing to cancel.
                assert answer.status_code == 409, where
                continue
            assert answer.status_code == status, f"{where}: {answer.status_code} {answer.text[:300]}"
            recorded_headers = {k.lower() for k in response["headers"]}
            for header in ("azure-asyncoperation", "location"):
                assert (header in {k.lower() for k in answer.headers}) == (header in recorded_headers), (
                    f"{where}: header {header}"
                )
            if status == 403:
                assert answer.headers["x-ms-failure-cause"] == response["headers"]["x-ms-failure-cause"][0], (
                    where
                )
                assert answer.headers["Content-Type"] == response["headers"]["content-type"][0], where
            recorded_body = _text(response.get("body"))
            if not recorded_body:
                assert answer.content == b"", where
                continue
            expected = _mask(json.loads(recorded_body))
            got = _mask(answer.json())
            if isinstance(expected.get("properties"), dict) and "lastRunStatus" in expected["properties"]:
                # Recorded mid-run; the emulator's run is already over: compare the shape of lastRunStatus.
                assert set(got["properties"]["lastRunStatus"]) >= {"startTime", "endTime", "runState"}, where
                expected["properties"].pop("lastRunStatus")
                got["properties"].pop("lastRunStatus")
            assert got == expected, where
            assert list(got) == list(expected), f"{where}: key order"
            if isinstance(got.get("properties"), dict):
                assert list(got["properties"]) == list(expected["properties"]), f"{where}: properties order"
            compared += 1
            if method == "PUT" and answer.status_code == 201:
                async_url = answer.headers["Azure-AsyncOperation"]
                final = arm.wait(async_url)
                assert list(final) == ["name", "status", "startTime", "endTime"], where
            if method == "POST" and path.split("?")[0].endswith("/run"):
                arm.wait(answer.headers["Location"])
    assert compared >= 16
