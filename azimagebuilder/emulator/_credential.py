"""Token credentials that work against the emulator (it accepts any bearer token).

The only module of the emulator that imports azure-core, and only when a credential is asked for.

Example:
    >>> cred = EmulatorCredential()
    >>> cred.get_token("https://management.azure.com/.default").token.startswith("emulator-")
    True
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from azure.core.credentials import AccessToken, AccessTokenInfo

__all__ = ["AsyncEmulatorCredential", "EmulatorCredential"]

_LIFETIME = 3600


def _token() -> str:
    return "emulator-" + secrets.token_urlsafe(24)


class EmulatorCredential:
    """A sync ``TokenCredential`` (and ``SupportsTokenInfo``) whose tokens the emulator accepts."""

    def __init__(self) -> None:
        self._value = _token()

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token valid for an hour, whatever the scopes."""
        return AccessToken(self._value, int(time.time()) + _LIFETIME)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        """The same token in the newer ``AccessTokenInfo`` form."""
        return AccessTokenInfo(self._value, int(time.time()) + _LIFETIME)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> EmulatorCredential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show the token
        return "EmulatorCredential()"


class AsyncEmulatorCredential:
    """The ``AsyncTokenCredential`` twin, for ``azimagebuilder.aio`` clients."""

    def __init__(self) -> None:
        self._value = _token()

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token valid for an hour, whatever the scopes."""
        return AccessToken(self._value, int(time.time()) + _LIFETIME)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        """The same token in the newer ``AccessTokenInfo`` form."""
        return AccessTokenInfo(self._value, int(time.time()) + _LIFETIME)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> AsyncEmulatorCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "AsyncEmulatorCredential()"
