"""A tiny scripted transport for the client's unit tests: no network, no sleeping.

``Script`` answers requests from a list of expected ``(method, path suffix) -> Reply`` steps, in order, and
fails the test on any request it did not expect. ``MockTransport`` / ``AsyncMockTransport`` record every
request and every sleep (so retries and polling intervals can be checked without waiting).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from azure.core.credentials import AccessToken
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest._http_response_impl import HttpResponseImpl
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import case_insensitive_dict

SUB = "00000000-0000-0000-0000-000000000000"
BASE = "https://management.azure.com"
RG = "rg1"
NAME = "tmpl1"
API = "2019-05-01-preview"
TEMPLATE_PATH = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/{NAME}"
)
OP_PATH = f"/subscriptions/{SUB}/providers/Microsoft.VirtualMachineImages/locations/westus2/operations/op1"
OP_URL = f"{BASE}{OP_PATH}?api-version={API}"


class FakeCredential:
    """Hands out a fixed token and counts the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("fake-secret-token", int(time.time()) + 3600)


class AsyncFakeCredential(FakeCredential):
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        return FakeCredential.get_token(self, *scopes, **kwargs)

    async def close(self) -> None:
        pass


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def template_body(
    state: str = "Succeeded", last_run: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "UbuntuServer",
            "sku": "18.04-LTS",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [{"type": "VHD", "runOutputName": "vhd", "artifactTags": {}}],
        "buildTimeoutInMinutes": 0,
        "provisioningState": state,
    }
    if last_run is not None:
        props["lastRunStatus"] = last_run
    body: dict[str, Any] = {
        "id": TEMPLATE_PATH,
        "name": NAME,
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "location": "westus2",
        "tags": {},
        "properties": props,
    }
    body.update(extra)
    return body


def local_template() -> dict[str, Any]:
    """The template the tests submit (a resource body)."""
    body = template_body()
    props = dict(body["properties"])
    for key in ("provisioningState", "buildTimeoutInMinutes"):
        props.pop(key)
    props["distribute"] = [{"type": "VHD", "runOutputName": "vhd"}]
    return {"location": "westus2", "properties": props}


def op(status: str, **extra: Any) -> Reply:
    return Reply(200, {"name": "OP1", "status": status, "startTime": "2020-03-26T13:06:27.3464161Z", **extra})


def accepted(status: int = 202, location: bool = True) -> Reply:
    headers = {"Azure-AsyncOperation": OP_URL}
    if location:
        headers["Location"] = OP_URL
    return Reply(status, None, headers)


Step = tuple[str, str, "Reply | Exception"]


class Script:
    """Expected requests, in order: ``(METHOD, path suffix, Reply or exception to raise)``."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = list(steps)
        self.position = 0

    def __call__(self, request: Any) -> Reply | Exception:
        assert self.position < len(self.steps), f"unexpected request {request.method} {request.url}"
        method, suffix, reply = self.steps[self.position]
        self.position += 1
        path = urlparse(request.url).path
        assert request.method == method, (
            f"step {self.position}: {request.method} {path}, expected {method} {suffix}"
        )
        assert path.endswith(suffix), f"step {self.position}: {request.method} {path}, expected ...{suffix}"
        return reply

    @property
    def done(self) -> bool:
        return self.position == len(self.steps)


def _response(cls: type, request: Any, reply: Reply) -> Any:
    headers = case_insensitive_dict(reply.headers)
    content = reply.content()
    if content and "content-type" not in headers:
        headers["Content-Type"] = "application/json; charset=utf-8"
    response = cls(
        request=request,
        internal_response=None,
        status_code=reply.status,
        reason="Scripted",
        content_type=headers.get("Content-Type"),
        headers=headers,
        stream_download_generator=None,
    )
    response._content = content
    response._is_stream_consumed = True
    response._is_closed = True
    return response


class MockTransport(HttpTransport):  # type: ignore[type-arg]
    """Answers from ``handler(request)``; records requests and sleeps, never sleeps."""

    def __init__(self, handler: Callable[[Any], Reply | Exception]) -> None:
        self.handler = handler
        self.requests: list[Any] = []
        self.sleeps: list[float] = []

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.requests.append(copy.deepcopy(request))  # as sent: the client strips the token afterwards
        reply = self.handler(request)
        if isinstance(reply, Exception):
            raise reply
        return _response(HttpResponseImpl, request, reply)

    def sleep(self, duration: float) -> None:
        self.sleeps.append(duration)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> MockTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncMockTransport(AsyncHttpTransport):  # type: ignore[type-arg]
    def __init__(self, handler: Callable[[Any], Reply | Exception]) -> None:
        self.handler = handler
        self.requests: list[Any] = []
        self.sleeps: list[float] = []

    async def send(self, request: Any, **kwargs: Any) -> Any:
        self.requests.append(copy.deepcopy(request))  # as sent: the client strips the token afterwards
        reply = self.handler(request)
        if isinstance(reply, Exception):
            raise reply
        return _response(AsyncHttpResponseImpl, request, reply)

    async def sleep(self, duration: float) -> None:
        self.sleeps.append(duration)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncMockTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


def dropped() -> ServiceRequestError:
    return ServiceRequestError("connection dropped")


def api_version_of(request: Any) -> str:
    return parse_qs(urlparse(request.url).query)["api-version"][0]


def json_of(request: Any) -> Any:
    return json.loads(request.content) if request.content else None
