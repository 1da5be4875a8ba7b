"""What the client benchmarks share: the template they build and a credential the emulator accepts."""

from __future__ import annotations

import time
from typing import Any


def hello_template() -> Any:
    """The document's smallest Linux template: Ubuntu, one shell step, a VHD output."""
    import azimagebuilder as aib

    return aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[aib.ShellCustomizer(name="hello", inline=["echo hello"])],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )


class AnyToken:
    """A token credential for the emulator, which accepts any bearer token (usable in a child process)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("benchmark", int(time.time()) + 3600)


class AsyncAnyToken:
    """The async twin of :class:`AnyToken`."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return AnyToken().get_token()

    async def close(self) -> None:
        return None
