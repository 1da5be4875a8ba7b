"""Fixtures for the raw-HTTP tests of the emulator's provider modules (no Azure SDK in the way)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from azimagebuilder.emulator import Emulator

SUB = "11111111-2222-3333-4444-555555555555"


class Arm:
    """A tiny ARM caller: ``arm.put(path, body)`` -> ``requests.Response`` (api-version added)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        token = emulator.credential.get_token("https://management.azure.com/.default").token
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(
        self, method: str, path: str, body: Any = None, *, api_version: str = "2022-04-01", **query: str
    ) -> requests.Response:
        params = {"api-version": api_version, **query}
        # verify per request: a session-level verify loses to $REQUESTS_CA_BUNDLE in requests.
        return self.session.request(
            method, self.emulator.base_url + path, json=body, params=params, verify=self.emulator.ca_cert
        )

    def get_url(self, url: str) -> requests.Response:
        return self.session.get(url, verify=self.emulator.ca_cert)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, body, **kwargs)

    def group(self, name: str, location: str = "westus2") -> str:
        """Create a resource group; returns its path."""
        path = f"/subscriptions/{SUB}/resourcegroups/{name}"
        assert self.put(path, {"location": location}).status_code in (200, 201)
        return f"/subscriptions/{SUB}/resourceGroups/{name}"


@pytest.fixture
def arm() -> Iterator[Arm]:
    with Emulator(build_duration=0) as emulator:
        caller = Arm(emulator)
        yield caller
        caller.session.close()
