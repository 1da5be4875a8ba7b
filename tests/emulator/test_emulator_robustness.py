"""The emulator answers every request with ARM JSON and the right status, and a bad request never damages
stored state or other reads. Regressions from a fuzz run, then a bounded fuzz test of the HTTP surface
(hypothesis: methods, paths, queries, headers and bodies, over raw TLS)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from emulator_support import SUB, Arm, template_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azimagebuilder.emulator import Emulator

API = "2022-07-01"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/imagesRG/providers/Microsoft.ManagedIdentity"
    "/userAssignedIdentities/aib"
)


def stable_body(**kw: Any) -> dict[str, Any]:
    body = template_body(**kw)
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}}
    return body


def assert_arm_error(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def made(make_arm: Callable[..., Arm]) -> Arm:
    arm = make_arm()
    assert arm.call("PUT", arm.path(), stable_body(), api_version=API).status_code == 201
    return arm


def reads_still_work(arm: Arm) -> None:
    assert arm.call("GET", arm.path(), api_version=API).status_code == 200
    providers = "providers/Microsoft.VirtualMachineImages/imageTemplates"
    assert arm.call("GET", f"/subscriptions/{SUB}/resourceGroups/imagesRG/{providers}", api_version=API).ok
    assert arm.call("GET", f"/subscriptions/{SUB}/{providers}", api_version=API).ok


# -- regressions ----------------------------------------------------------------------------------------


def raw_call(arm: Arm, method: str, path: str, body: bytes, api_version: str = API) -> Any:
    return arm.session.request(
        method,
        f"{arm.emulator.base_url}{path}?api-version={api_version}",
        data=body,
        headers={"Content-Type": "application/json"},
        verify=arm.emulator.ca_cert,
        timeout=30,
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"location": "westus", "properties": {"buildTimeoutInMinutes": ' + b"1" * 5000 + b"}}",
        b'{"location": "westus", "properties": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        b'{"location": "westus", "properties": {"x": ' + b"[" * 500 + b"]" * 500 + b"}}",
        b'{"location": "westus", "properties": {"buildTimeoutInMinutes": NaN}}',
        b'{"location": "westus", "properties": {"buildTimeoutInMinutes": -Infinity}}',
        b"\xff\xfe{",
    ],
    ids=["5000-digits", "10000-deep", "500-deep", "NaN", "Infinity", "not-utf8"],
)
def test_an_unparsable_body_is_400_invalid_request_content(made: Arm, body: bytes) -> None:
    for method, name in (("PUT", "other"), ("PATCH", "tmpl")):
        assert_arm_error(raw_call(made, method, made.path(name), body), 400, "InvalidRequestContent")
    reads_still_work(made)


@pytest.mark.parametrize(
    "patch",
    [{"identity": "x"}, {"tags": ["x"]}, {"tags": {"n": 1}}, {"tags": "x"}, {"tags": {"a": None}}],
    ids=["identity-string", "tags-list", "tags-number-value", "tags-string", "tags-null-value"],
)
def test_a_bad_patch_is_400_and_leaves_the_template_readable(made: Arm, patch: dict[str, Any]) -> None:
    before = made.call("GET", made.path(), api_version=API).json()
    assert_arm_error(made.call("PATCH", made.path(), patch, api_version=API), 400, "InvalidParameter")
    reads_still_work(made)
    assert made.call("GET", made.path(), api_version=API).json() == before


def test_the_client_reads_after_a_bad_patch(made: Arm) -> None:
    from azimagebuilder import ImageBuilderClient

    made.call("PATCH", made.path(), {"tags": {"n": 1}}, api_version=API)
    emu = made.emulator
    with ImageBuilderClient(
        emu.credential, SUB, base_url=emu.base_url, connection_verify=emu.ca_cert, api_version=API
    ) as client:
        assert client.get("imagesRG", "tmpl").tags == {}
        assert [t.name for t in client.list()] == ["tmpl"]


@pytest.mark.parametrize("method", ["OPTIONS", "BREW", "TRACE", "CONNECT", "PROPFIND"])
def test_an_unknown_method_is_405_in_arm_json(made: Arm, method: str) -> None:
    assert_arm_error(made.call(method, made.path(), api_version=API), 405, "MethodNotAllowed")


def test_an_oversized_url_or_header_is_answered_in_arm_json(made: Arm) -> None:
    assert_arm_error(made.call("GET", made.path() + "?x=" + "a" * 70_000, api_version=API), 414)
    assert_arm_error(made.call("GET", made.path(), api_version=API, headers={"X-Big": "a" * 70_000}), 431)
    reads_still_work(made)


def test_an_answer_before_the_whole_request_was_read_reaches_the_client(made: Arm) -> None:
    # The emulator answers 414 after 64 KiB of a longer URL; closing with the rest unread would reset the
    # connection, and the client could see that reset instead of the answer (seen under load).
    url = made.emulator.base_url + made.path() + "?x=" + "a" * 150_000
    for _ in range(10):
        answer = requests.get(url, verify=made.emulator.ca_cert, timeout=30)
        assert answer.status_code == 414
        assert answer.headers["Connection"] == "close"  # no next request on this connection
    reads_still_work(made)


def _raw(emu: Emulator, request: bytes) -> bytes:
    host, port = emu.base_url.split("//")[1].split(":")
    context = ssl.create_default_context(cafile=emu.ca_cert)
    with (
        socket.create_connection((host, int(port)), timeout=30) as sock,
        context.wrap_socket(sock, server_hostname=host) as tls,
    ):
        tls.sendall(request)
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    return data


def test_a_folded_request_header_is_never_reflected(made: Arm) -> None:
    token = made.emulator.credential.get_token("x").token
    request = (
        f"GET {made.path()}?api-version={API} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "x-ms-client-request-id: abc\r\n Injected: yes\r\nConnection: close\r\n\r\n"
    ).encode()
    head = _raw(made.emulator, request).split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert head[0].startswith(b"HTTP/1.1 200")
    assert not [line for line in head[1:] if line[:1] in (b" ", b"\t")]
    assert not [line for line in head if b"injected" in line.lower()]
    correlation = [line for line in head if line.lower().startswith(b"x-ms-correlation-request-id:")]
    assert len(correlation) == 1
    assert b"abc" not in correlation[0]


def test_a_plain_client_request_id_is_still_echoed(made: Arm) -> None:
    answer = made.call("GET", made.path(), api_version=API, headers={"x-ms-client-request-id": "abc-123"})
    assert answer.headers["x-ms-correlation-request-id"] == "abc-123"


# -- fuzz ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Iterator[Arm]:
    with Emulator(build_duration=0.2) as emu:
        arm = Arm(emu)
        for name in ("tmpl", "keep"):  # the fuzz may change or delete tmpl; it never names keep
            assert arm.call("PUT", arm.path(name), stable_body(), api_version=API).status_code == 201
        yield arm


_PATHS = [
    "/subscriptions/{sub}/resourceGroups/imagesRG/providers/Microsoft.VirtualMachineImages/imageTemplates/{name}",
    "/subscriptions/{sub}/resourceGroups/imagesRG/providers/Microsoft.VirtualMachineImages/imageTemplates/{name}/run",
    "/subscriptions/{sub}/resourceGroups/imagesRG/providers/Microsoft.VirtualMachineImages/imageTemplates",
    "/subscriptions/{sub}/providers/Microsoft.VirtualMachineImages/imageTemplates",
    "/subscriptions/{sub}/resourcegroups/{name}",
    "/{name}",
]
segments = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=12)
json_ish = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=64),
    json_ish.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"tags": json_ish, "identity": json_ish, "location": json_ish, "properties": json_ish},
    ).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"[" * 3000, b'{"a": NaN}', b'{"a": ' + b"9" * 4400 + b"}", b"", b"{"]),
)
requests_ = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "PUT", "PATCH", "POST", "DELETE", "HEAD", "OPTIONS", "FOO"]),
        "path": st.sampled_from(_PATHS),
        "sub": st.one_of(st.just(SUB), segments),
        "name": st.one_of(st.just("tmpl"), st.just("fuzz"), segments),
        "api_version": st.sampled_from([API, "2019-05-01-preview", "1999-01-01", "x", ""]),
        "body": bodies,
        "client_id": st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=20),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # CI: the same 30 examples every run; locally, new ones
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests_)
def test_fuzz_every_answer_is_arm_json_and_reads_keep_working(shared: Arm, req: dict[str, Any]) -> None:
    from urllib.parse import quote

    emu = shared.emulator
    path = req["path"].format(sub=quote(req["sub"], safe=""), name=quote(req["name"], safe=""))
    host, port = emu.base_url.split("//")[1].split(":")
    conn = http.client.HTTPSConnection(
        host, int(port), context=ssl.create_default_context(cafile=emu.ca_cert), timeout=30
    )
    headers = {
        "Authorization": shared.session.headers["Authorization"],
        "Content-Type": "application/json",
        "x-ms-client-request-id": req["client_id"],
    }
    try:
        conn.request(
            req["method"], f"{path}?api-version={req['api_version']}", body=req["body"], headers=headers
        )
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    assert answer.status < 500, data[:300]
    kind = answer.getheader("Content-Type") or ""
    if answer.status >= 400 and req["method"] != "HEAD":
        if path.startswith("/subscriptions/") or not kind.startswith("application/xml"):
            assert kind.startswith("application/json")
            assert json.loads(data)["error"]["code"]
        else:  # the blob endpoints answer as Azure Storage does: an XML <Error>
            assert b"<Error>" in data
    correlation = answer.getheader("x-ms-correlation-request-id") or ""
    assert "\n" not in correlation
    assert "\r" not in correlation
    assert shared.call("GET", shared.path("keep"), api_version=API).status_code == 200
    providers = "providers/Microsoft.VirtualMachineImages/imageTemplates"
    listed = shared.call("GET", f"/subscriptions/{SUB}/{providers}", api_version=API)
    assert listed.status_code == 200
    assert "keep" in [t["name"] for t in listed.json()["value"]]


@pytest.mark.parametrize(
    ("request_line", "status"),
    [(b"GARBAGE\r\n\r\n", 400), (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505)],
    ids=["malformed", "http2-line"],
)
def test_a_malformed_request_is_answered_in_arm_json(made: Arm, request_line: bytes, status: int) -> None:
    raw = _raw(made.emulator, request_line)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split(b" ")[1] == str(status).encode()
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["code"]
    reads_still_work(made)
