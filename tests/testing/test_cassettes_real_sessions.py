"""The scrubber and the serializer on real Image Builder traffic: the Azure CLI's recorded live sessions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr.request import Request

from azimagebuilder.testing.cassettes import CassetteSerializer, Scrubber, find_leaks

pytestmark = pytest.mark.needs_shared


def _sessions(shared_reference: Path) -> list[Path]:
    paths = sorted((shared_reference / "azure-cli-recordings").glob("*.yaml"))
    assert paths, "no recorded session in ../shared/reference/azure-cli-recordings"
    return paths


def _scrubbed(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scrubber = Scrubber()
    interactions = []
    for interaction in data["interactions"]:
        raw = interaction["request"]
        request = scrubber.before_record_request(
            Request(raw["method"], raw["uri"], raw["body"], raw["headers"])
        )
        response = scrubber.before_record_response(interaction["response"])
        body = response["body"]["string"]
        if isinstance(body, bytes):
            response["body"]["string"] = body.decode("utf-8")
        interactions.append({"request": request._to_dict(), "response": response})
    for interaction in interactions:
        body = interaction["request"]["body"]
        if isinstance(body, bytes):
            interaction["request"]["body"] = body.decode("utf-8")
    return {"version": 1, "interactions": interactions}


def test_real_sessions_round_trip_and_scrub_clean(shared_reference: Path) -> None:
    serializer = CassetteSerializer(recorded_against="azure")
    structured = 0
    for path in _sessions(shared_reference):
        cassette = _scrubbed(path)
        text = serializer.serialize(cassette)
        assert find_leaks(text) == [], path.name
        back = serializer.deserialize(text)
        for before, after in zip(cassette["interactions"], back["interactions"], strict=True):
            assert after["request"]["body"] == before["request"]["body"]
            assert after["response"]["body"]["string"] == before["response"]["body"]["string"]
            assert after["request"]["uri"] == before["request"]["uri"]
        structured += len(re.findall(r"^ +json:$", text, re.MULTILINE))
    assert structured > 100, "real ARM JSON bodies should be stored as YAML values"


def test_real_sessions_keep_their_operation_headers(shared_reference: Path) -> None:
    seen = 0
    for path in _sessions(shared_reference):
        for interaction in _scrubbed(path)["interactions"]:
            headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
            assert "set-cookie" not in headers
            for url in headers.get("azure-asyncoperation", []):
                assert url.startswith(
                    "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/"
                )
                seen += 1
    assert seen >= 10  # the sessions' create, run and delete operations
