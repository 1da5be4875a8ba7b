"""The async twin of :class:`azimagebuilder.ImageBuilderClient`: same methods, awaited.

Example:
    >>> from azure.identity.aio import DefaultAzureCredential  # doctest: +SKIP
    >>> from azimagebuilder.aio import ImageBuilderClient  # doctest: +SKIP
    >>> credential = DefaultAzureCredential()  # doctest: +SKIP
    >>> async with ImageBuilderClient(credential, "<subscription id>") as client:  # doctest: +SKIP
    ...     poller = await client.begin_run("my-rg", "hello")
    ...     status = await poller.result()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["ImageBuilderClient"]

if TYPE_CHECKING:  # pragma: no cover
    from ._client import ImageBuilderClient


def __getattr__(name: str) -> Any:
    if name == "ImageBuilderClient":
        value = importlib.import_module(f"{__name__}._client").ImageBuilderClient
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
