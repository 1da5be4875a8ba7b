"""Helpers for the emulator tests: template bodies and a raw-HTTP ARM caller (plain ``requests``)."""

from __future__ import annotations

from typing import Any

import requests

from azimagebuilder.emulator import Emulator

PREVIEW = "2019-05-01-preview"
STABLE = "2020-02-14"
SUB = "00000000-0000-0000-0000-000000000000"


def template_body(
    *,
    location: str = "westus",
    tags: dict[str, str] | None = None,
    customize: list[dict[str, Any]] | None = None,
    distribute: list[dict[str, Any]] | None = None,
    source: dict[str, Any] | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """A valid 2019-05-01-preview PUT body: Ubuntu, one script customizer, one managed image."""
    image_id = f"/subscriptions/{SUB}/resourceGroups/imagesRG/providers/Microsoft.Compute/images/img_1"
    managed = {"runOutputName": "img_1", "type": "ManagedImage", "imageId": image_id, "location": location}
    body: dict[str, Any] = {
        "location": location,
        "tags": tags if tags is not None else {},
        "properties": {
            "source": source
            or {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "18.04-LTS",
                "version": "18.04.201808140",
            },
            "customize": customize
            if customize is not None
            else [{"name": "setup.sh", "type": "Shell", "scriptUri": "https://example.com/scripts/setup.sh"}],
            "distribute": distribute if distribute is not None else [managed],
            **properties,
        },
    }
    return body


class Arm:
    """Calls the emulator over HTTPS with a bearer token; ``api_version`` defaults to the preview."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        token = emulator.credential.get_token("https://management.azure.com/.default").token
        self.session.headers["Authorization"] = f"Bearer {token}"

    def path(self, name: str = "tmpl", group: str = "imagesRG", sub: str = SUB) -> str:
        provider = "providers/Microsoft.VirtualMachineImages"
        return f"/subscriptions/{sub}/resourceGroups/{group}/{provider}/imageTemplates/{name}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_version: str | None = PREVIEW,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> requests.Response:
        url = self.emulator.base_url + path
        if api_version is not None:
            url += ("&" if "?" in url else "?") + f"api-version={api_version}"
        send = requests.request if not auth else self.session.request
        return send(method, url, json=body, headers=headers, verify=self.emulator.ca_cert, timeout=30)

    def url(self, url: str) -> requests.Response:
        return self.session.get(url, verify=self.emulator.ca_cert, timeout=30)

    def create(self, name: str = "tmpl", body: dict[str, Any] | None = None, **kw: Any) -> requests.Response:
        answer = self.call("PUT", self.path(name), body if body is not None else template_body(), **kw)
        assert answer.status_code == 201, answer.text
        return answer

    def wait(self, operation_url: str) -> dict[str, Any]:
        """Poll an operation until it is done (the emulator's clock must get it there)."""
        for _ in range(100):
            status: dict[str, Any] = self.url(operation_url).json()
            if status["status"] != "InProgress":
                return status
        raise AssertionError(f"operation still in progress: {status}")
