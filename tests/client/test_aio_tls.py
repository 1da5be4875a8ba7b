"""The aio client and a CA file in ``connection_verify``: one SSL context per client, connections reused.

azure-core's aiohttp transport, given a CA path, builds a new SSL context for every request, and aiohttp keys
its connection pool on that context, so every request paid a new TLS handshake (docs/performance.md, "Client:
200 concurrent builds"). These tests count, against the real emulator over HTTPS, the SSL contexts made and
the TLS handshakes the client starts (asyncio's TLS goes through ``SSLContext.wrap_bio``; the in-process
emulator's server side uses ``wrap_socket``, so it is not counted).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError

from azimagebuilder.aio import ImageBuilderClient

RG = "rg-tls"
TEMPLATE = {
    "location": "westus2",
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "UbuntuServer",
            "sku": "18.04-LTS",
            "version": "latest",
        },
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


@dataclass
class TlsCounts:
    """The SSL contexts made (``ssl.create_default_context`` with a cafile) and client-side handshakes."""

    contexts: list[ssl.SSLContext] = field(default_factory=list)
    handshakes: list[ssl.SSLContext] = field(default_factory=list)


@pytest.fixture
def tls(monkeypatch: pytest.MonkeyPatch) -> TlsCounts:
    counts = TlsCounts()
    create_default_context = ssl.create_default_context
    wrap_bio = ssl.SSLContext.wrap_bio

    def counting_create(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = create_default_context(*args, **kwargs)
        if kwargs.get("cafile") is not None:
            counts.contexts.append(context)
        return context

    def counting_wrap_bio(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        counts.handshakes.append(self)
        return wrap_bio(self, *args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting_create)
    monkeypatch.setattr(ssl.SSLContext, "wrap_bio", counting_wrap_bio)
    return counts


async def _some_requests(client: ImageBuilderClient) -> int:
    """Create a template, read it, list it, read a missing one: at least six requests, one at a time."""
    poller = await client.begin_create_or_update(RG, "hello", TEMPLATE)
    await poller.result()
    for _ in range(3):
        assert (await client.get(RG, "hello")).name == "hello"
    assert [t.name async for t in client.list(RG)] == ["hello"]
    with pytest.raises(ResourceNotFoundError):
        await client.get(RG, "missing")
    return 6


@pytest.mark.parametrize("as_path", [False, True], ids=["str", "Path"])
async def test_a_ca_file_gives_one_context_and_one_connection_for_sequential_requests(
    start_emulator: Callable[..., Any], tls: TlsCounts, as_path: bool
) -> None:
    emu = start_emulator()
    ca_cert = Path(emu.ca_cert) if as_path else emu.ca_cert
    async with ImageBuilderClient(
        emu.async_credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=ca_cert,
        polling_interval=0,
    ) as client:
        requests = await _some_requests(client)
    assert requests >= 6
    # Before: one context and one handshake per request.
    assert len(tls.contexts) == 1
    assert tls.handshakes == tls.contexts  # one handshake, with that context: the connection was reused


async def test_each_client_has_its_own_context_and_closes_its_connections(
    start_emulator: Callable[..., Any], tls: TlsCounts
) -> None:
    emu = start_emulator()
    clients = [
        ImageBuilderClient(
            emu.async_credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=0,
        )
        for _ in range(2)
    ]
    for client in clients:
        with pytest.raises(ResourceNotFoundError):
            await client.get(RG, "missing")
        with pytest.raises(ResourceNotFoundError):
            await client.get(RG, "missing")
    sessions = [client._client._pipeline._transport.session for client in clients]
    assert all(session is not None and not session.closed for session in sessions)
    for client in clients:
        await client.close()
    assert len(tls.contexts) == 2
    assert tls.contexts[0] is not tls.contexts[1]
    assert tls.handshakes == tls.contexts
    assert all(session.closed for session in sessions)
    with pytest.raises(ValueError, match="already been closed"):
        await clients[0].get(RG, "missing")  # as azure-core's own transport: closed stays closed


async def test_without_a_ca_file_the_transport_is_azure_cores_own(
    start_emulator: Callable[..., Any], tls: TlsCounts
) -> None:
    from azure.core.pipeline.transport import AioHttpTransport

    emu = start_emulator()
    async with ImageBuilderClient(
        emu.async_credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=False,  # a bool: azure-core's transport, untouched
        polling_interval=0,
    ) as client:
        await _some_requests(client)
        transport = client._client._pipeline._transport
        assert type(transport) is AioHttpTransport
    assert tls.contexts == []
    assert len(tls.handshakes) == 1


async def test_a_missing_ca_file_fails_when_the_connections_open_not_before(
    start_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = start_emulator()

    def client() -> ImageBuilderClient:
        return ImageBuilderClient(
            emu.async_credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=str(tmp_path / "nope.pem"),
        )

    first = client()  # constructing does not read the file, as before
    with pytest.raises(FileNotFoundError):
        await first.get(RG, "missing")
    await first.close()
    with pytest.raises(FileNotFoundError):
        async with client():
            pass
