"""No bearer token on any error: every error path of both clients, against the emulator over real HTTPS
transports (requests and aiohttp keep their own copies of the sent headers), walked object by object.

The walk follows everything an exception leads to (its args, ``__cause__``/``__context__``, attributes,
``.response``, ``.response.request``, the transport's request copies, mappings and sequences), but not
tracebacks and their frames (the client's own locals, which hold the credential by design).
"""

from __future__ import annotations

import base64
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient
from azimagebuilder._errors import BuildFailedError, BuildTimeoutError
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
from azimagebuilder.emulator import FaultRule

RG = "rg-secrets"
SCENARIO = "azimagebuilder.emulator.scenario"
_SKIP = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.FrameType,
    types.TracebackType,
    types.CodeType,
)


def template(emu: Any, **tags: str) -> dict[str, Any]:
    return linux_body(tags=tags)


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, BaseException):
        yield "__cause__", obj.__cause__
        yield "__context__", obj.__context__
        for i, arg in enumerate(obj.args):
            yield f"args[{i}]", arg
    if isinstance(obj, (list, tuple, set, frozenset)):
        for i, value in enumerate(obj):
            yield f"[{i}]", value
    items = getattr(obj, "items", None)
    if callable(items) and not isinstance(obj, (str, bytes)):
        try:
            pairs = list(items())
        except Exception:
            pairs = []
        for key, value in pairs:
            yield "<key>", key
            yield f"[{key!r}]", value
    for name, value in list(getattr(obj, "__dict__", {}).items()):
        yield f".{name}", value
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and slot not in ("__dict__", "__weakref__"):
                try:
                    yield f".{slot}", getattr(obj, slot)
                except AttributeError:
                    continue
    for name in ("request", "response", "request_info", "history", "headers", "internal_response"):
        try:
            yield f".{name}", getattr(obj, name, None)
        except Exception:
            continue


def leaks(root: Any, secret: str) -> list[str]:
    """The paths from ``root`` to a string holding ``secret`` or a bearer header value."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(root, "err")]
    while stack and len(seen) < 200_000:
        obj, path = stack.pop()
        if obj is None or isinstance(obj, (int, float, bool)) or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes, bytearray)):
            text = obj if isinstance(obj, str) else bytes(obj).decode("latin-1")
            if secret in text or "bearer " in text.lower():
                found.append(path)
            continue
        if isinstance(obj, _SKIP) or (callable(obj) and not hasattr(obj, "__dict__")):
            continue
        stack.extend((value, path + step) for step, value in _children(obj))
    return found


def assert_no_token(err: BaseException, secret: str) -> None:
    assert isinstance(err, BaseException)
    assert leaks(err, secret) == []


def client_for(emu: Any, **kwargs: Any) -> ImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    return ImageBuilderClient(
        emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert, **kwargs
    )


def async_client_for(emu: Any, **kwargs: Any) -> AsyncImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    return AsyncImageBuilderClient(
        emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert, **kwargs
    )


def secret_of(emu: Any) -> str:
    token = emu.credential.get_token("https://management.azure.com/.default").token
    assert token.startswith("emulator-")
    return str(token)


def test_the_walk_finds_a_token_left_on_a_response() -> None:
    """The walk itself can fail: a token on a nested request's headers is found."""
    from azure.core.rest import HttpRequest

    request = HttpRequest("GET", "https://x.invalid", headers={"Authorization": "Bearer sekrit"})
    err = ValueError("outer")
    err.__cause__ = HttpResponseError("inner")
    err.__cause__.response = types.SimpleNamespace(request=request)  # type: ignore[assignment]
    found = leaks(err, "sekrit")
    assert found
    assert all("__cause__.response.request" in path for path in found)
    assert leaks(ValueError("clean"), "sekrit") == []


def sync_error_paths(emu: Any) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(name, action that must raise) for every way the sync client fails."""
    client = client_for(emu)
    quick = client_for(emu, retry_total=0)
    client.begin_create_or_update(RG, "ok", template(emu)).result()
    client.begin_create_or_update(RG, "fails", template(emu, **{SCENARIO: "fail:Customizing"})).result()
    bad_body = template(emu)
    bad_body["properties"]["distribute"] = []
    yield "get 404", lambda: client.get(RG, "missing")
    yield "get_run_output 404", lambda: client.get_run_output(RG, "ok", "nothing")
    yield "list_run_outputs 404", lambda: list(client.list_run_outputs(RG, "missing"))
    yield "create refused", lambda: client.begin_create_or_update(RG, "bad", bad_body, validate=False)
    yield (
        "create failed while polling",
        lambda: client.begin_create_or_update(
            RG, "pfail", template(emu, **{SCENARIO: "provision-fail:BadPIRSource"})
        ).result(),
    )
    yield "run of a missing template", lambda: client.begin_run(RG, "missing")
    yield "run failed (BuildFailedError)", lambda: client.begin_run(RG, "fails").result()
    yield "build() failed", lambda: client.build(RG, "fails2", template(emu, **{SCENARIO: "fail:Building"}))
    yield (
        "list 500",
        lambda: (emu.faults.add(FaultRule("imageTemplates.list*", 500, times=1)), list(quick.list())),
    )
    yield (
        "poll 500",
        lambda: (
            emu.faults.add(FaultRule("operations.get", 500, times=1)),
            quick.begin_run(RG, "ok", polling_interval=0).result(),
        ),
    )
    yield (
        "get dropped",
        lambda: (emu.faults.add(FaultRule("imageTemplates.get", "drop", times=1)), quick.get(RG, "ok")),
    )
    yield (
        "run dropped",
        lambda: (emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1)), quick.begin_run(RG, "ok")),
    )
    old = ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version="1999-01-01",
    )
    yield "api-version not served", lambda: old.get(RG, "ok")


def test_no_error_of_the_sync_client_keeps_the_token(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=0.3)
    secret = secret_of(emu)
    raised: list[str] = []
    found: dict[str, list[str]] = {}
    for name, action in sync_error_paths(emu):
        try:
            action()
        except Exception as err:  # every kind the client raises
            raised.append(name)
            found[name] = leaks(err, secret)
        emu.faults.clear()
    assert {name: paths for name, paths in found.items() if paths} == {}
    # each path did fail (none of them passed silently)
    assert "get 404" in raised
    assert "run failed (BuildFailedError)" in raised
    assert "build() failed" in raised
    assert "run dropped" in raised
    assert "poll 500" in raised
    assert "create refused" in raised
    assert "api-version not served" in raised
    assert "create failed while polling" in raised


def test_build_failed_error_and_its_cause_have_no_authorization_header(
    start_emulator: Callable[..., Any],
) -> None:
    emu = start_emulator(build_duration=0.3)
    with client_for(emu) as client:
        client.begin_create_or_update(RG, "fails", template(emu, **{SCENARIO: "fail:Customizing"})).result()
        with pytest.raises(BuildFailedError) as info:
            client.begin_run(RG, "fails").result()
    err = info.value
    assert err.response is not None
    assert "Authorization" not in err.response.request.headers
    cause = err.__cause__
    assert isinstance(cause, HttpResponseError)
    assert cause.response is not None
    assert "Authorization" not in cause.response.request.headers
    assert leaks(err, secret_of(emu)) == []


def test_a_dropped_connection_error_keeps_no_token_in_the_transports_request(
    start_emulator: Callable[..., Any],
) -> None:
    emu = start_emulator(faults=[FaultRule("imageTemplates.get", "drop")])
    with client_for(emu, retry_total=0) as client, pytest.raises(AzureError) as info:
        client.get(RG, "any")
    assert leaks(info.value, secret_of(emu)) == []


def test_a_timed_out_builds_continuation_token_holds_no_bearer_token(
    start_emulator: Callable[..., Any],
) -> None:
    emu = start_emulator(build_duration=30, create_duration=0)
    with client_for(emu) as client, pytest.raises(BuildTimeoutError) as info:
        client.build(RG, "slow", template(emu), timeout=0.2)
    decoded = base64.b64decode(info.value.continuation_token)
    assert secret_of(emu).encode() not in decoded
    assert b"Bearer" not in decoded
    assert leaks(info.value, secret_of(emu)) == []


async def test_no_error_of_the_async_client_keeps_the_token(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=0.3)
    secret = secret_of(emu)
    client = async_client_for(emu)
    quick = async_client_for(emu, retry_total=0)
    async with client, quick:
        await (await client.begin_create_or_update(RG, "ok", template(emu))).result()
        failing = template(emu, **{SCENARIO: "fail:Customizing"})
        await (await client.begin_create_or_update(RG, "fails", failing)).result()
        errors: list[BaseException] = []

        async def expect(coro: Any) -> None:
            try:
                await coro
            except Exception as err:
                errors.append(err)
            else:
                raise AssertionError("expected an error")
            finally:
                emu.faults.clear()

        async def run_result(name: str, c: AsyncImageBuilderClient = client) -> Any:
            return await (await c.begin_run(RG, name, polling_interval=0)).result()

        await expect(client.get(RG, "missing"))
        await expect(client.get_run_output(RG, "ok", "nothing"))
        await expect(run_result("fails"))
        await expect(client.build(RG, "fails2", template(emu, **{SCENARIO: "fail:Building"})))
        bad = template(emu)
        bad["properties"]["distribute"] = []
        await expect(client.begin_create_or_update(RG, "bad", bad, validate=False))
        emu.faults.add(FaultRule("operations.get", 500, times=1))
        await expect(run_result("ok", quick))
        emu.faults.add(FaultRule("imageTemplates.get", 503, times=1))
        await expect(quick.get(RG, "ok"))
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1))
        await expect(quick.begin_run(RG, "ok"))

        async def listed() -> None:
            _ = [t async for t in quick.list()]

        emu.faults.add(FaultRule("imageTemplates.list*", 500, times=1))
        await expect(listed())
    assert isinstance(errors[0], ResourceNotFoundError)
    assert isinstance(errors[2], BuildFailedError)
    assert isinstance(errors[3], BuildFailedError)
    for err in errors:
        assert leaks(err, secret) == [], repr(err)
