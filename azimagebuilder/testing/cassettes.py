"""Record Image Builder traffic as vcrpy cassettes, scrubbed on the way in, and replay it without waiting.

Public, so you can record your own sessions (against the emulator or live Azure) the way this project
records its tests. With pytest-recording, put this in a ``conftest.py``::

    import pytest
    from azimagebuilder.testing import cassettes

    @pytest.fixture
    def vcr_config():
        return cassettes.vcr_config()

    def pytest_recording_configure(config, vcr):
        cassettes.configure_vcr(vcr, recorded_against="emulator")

Everything a request or an answer carries passes through :class:`Scrubber` before it is written:

- ``Authorization`` (and cookies, client request ids, user agent) are dropped;
- bearer tokens, JWTs, SAS ``sig=``, access / refresh tokens and client secrets become ``REDACTED``;
- subscription and tenant ids (and the SAS ``skoid`` / ``sktid``) become
  ``00000000-0000-0000-0000-000000000000``;
- the emulator's ``https://127.0.0.1:PORT`` becomes ``https://management.azure.com``, and blob hosts (Azurite
  on loopback, or ``<account>.blob.core.windows.net``) become
  ``https://fakestorageaccount.blob.core.windows.net``,

in URLs, bodies and headers (``Location``, ``Azure-AsyncOperation`` included). The same scrubbing is applied
to a request before it is matched on replay, so a client pointed at ``https://management.azure.com`` with
the fake subscription id finds the recorded answers.

:class:`CassetteSerializer` writes JSON bodies as readable YAML (a leak shows in a diff) and reads them back
to the identical bytes; a ``recorded:`` field at the top of each cassette says where and when it was
recorded. :func:`find_leaks` is the check that a cassette holds no secret.

Example:
    >>> Scrubber().scrub_text("https://127.0.0.1:8443/subscriptions/3f2c5a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f?sig=abc")
    'https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000?sig=REDACTED'
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from .._constants import ARM_ENDPOINT
from .._version import __version__

__all__ = [
    "FAKE_STORAGE_ENDPOINT",
    "FAKE_SUBSCRIPTION_ID",
    "FAKE_TENANT_ID",
    "MATCH_ON",
    "RECORD_TARGET_ENV",
    "REDACTED",
    "REPLAY_ENDPOINT",
    "AsyncReplayCredential",
    "CassetteSerializer",
    "Leak",
    "ReplayCredential",
    "Scrubber",
    "assert_all_played",
    "async_replay_transport",
    "configure_vcr",
    "find_leaks",
    "pytest_recording_configure",
    "read_provenance",
    "recording_target",
    "replay_transport",
    "scan_cassettes",
    "vcr_config",
]

#: The subscription (and tenant) id every recorded id is replaced with; pass it to the client on replay.
FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
#: The tenant id every recorded one is replaced with (the same zeros).
FAKE_TENANT_ID = FAKE_SUBSCRIPTION_ID
#: The host every cassette shows, whatever it was recorded against; point the client at it on replay.
REPLAY_ENDPOINT = ARM_ENDPOINT
#: The storage host every blob URL shows.
FAKE_STORAGE_ENDPOINT = "https://fakestorageaccount.blob.core.windows.net"
#: What a secret becomes.
REDACTED = "REDACTED"
#: How a request finds its recorded answer. Identical requests (the polls of a long-running operation) are
#: answered in recorded order, each answer once: ``allow_playback_repeats`` stays off.
MATCH_ON: tuple[str, ...] = ("method", "scheme", "host", "port", "path", "query", "body")
#: Environment variable naming what a recording session talks to: ``emulator`` (default) or ``azure``.
RECORD_TARGET_ENV = "AZIMAGEBUILDER_RECORD_TARGET"

# Token endpoints and the managed-identity endpoint: a credential's own traffic is never recorded.
_IGNORED_HOSTS = ("login.microsoftonline.com", "login.windows.net", "169.254.169.254")
# Headers left out of cassettes: secrets, and per-request noise that would churn every re-recording.
_DROPPED_HEADERS = frozenset(
    {
        "authorization",
        "x-ms-authorization-auxiliary",
        "cookie",
        "set-cookie",
        "user-agent",
        "x-ms-client-request-id",
        "x-ms-correlation-request-id",
        "x-ms-request-id",
        "x-ms-routing-request-id",
        "x-ms-arm-service-request-id",
        # transport boilerplate that says nothing about the API
        "connection",
        "accept-encoding",
        "strict-transport-security",
        "x-content-type-options",
        "cache-control",
        "pragma",
        "expires",
    }
)

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LOOPBACK = r"https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?"
_SECRET_JSON_KEYS = (
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "clientSecret",
    "client_assertion",
    "password",
    "adminPassword",
    "accountKey",
    "primaryKey",
    "secondaryKey",
)
_SECRET_FORM_KEYS = (
    "access_token",
    "refresh_token",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
)
_ID_JSON_KEYS = ("subscriptionId", "tenantId", "subscription_id", "tenant_id")

# (pattern, replacement), applied in this order. Loopback blob storage (Azurite's path-style
# http://127.0.0.1:10000/devstoreaccount1) goes before the general loopback rule.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), replacement)
    for pattern, replacement, flags in (
        (_LOOPBACK + r"/devstoreaccount1", FAKE_STORAGE_ENDPOINT, 0),
        (_LOOPBACK, REPLAY_ENDPOINT, 0),
        (r"https://[a-z0-9]{3,24}\.blob\.core\.windows\.net", FAKE_STORAGE_ENDPOINT, 0),
        (r"(/subscriptions/)" + _GUID, r"\g<1>" + FAKE_SUBSCRIPTION_ID, re.IGNORECASE),
        (
            r'("(?:' + "|".join(_ID_JSON_KEYS) + r')"\s*:\s*")' + _GUID,
            r"\g<1>" + FAKE_SUBSCRIPTION_ID,
            0,
        ),
        (
            r"(login\.(?:microsoftonline\.com|windows\.net)/)" + _GUID,
            r"\g<1>" + FAKE_TENANT_ID,
            re.IGNORECASE,
        ),
        (r"([?&](?:skoid|sktid)=)[^&\"'\s]+", r"\g<1>" + FAKE_TENANT_ID, 0),
        (r"([?&]sig=)[^&\"'\s]+", r"\g<1>" + REDACTED, 0),
        (r"(Bearer\s+)[A-Za-z0-9\-_.~+/=]+", r"\g<1>" + REDACTED, re.IGNORECASE),
        (r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", REDACTED, 0),
        (
            r'("(?:' + "|".join(_SECRET_JSON_KEYS) + r')"\s*:\s*")(?:[^"\\]|\\.)*"',
            r"\g<1>" + REDACTED + '"',
            0,
        ),
        (
            r"((?:^|&)(?:" + "|".join(_SECRET_FORM_KEYS) + r")=)[^&\s]*",
            r"\g<1>" + REDACTED,
            0,
        ),
    )
)


class Scrubber:
    """Takes secrets and local addresses out of what vcrpy records.

    Args:
        replacements: names to replace before the standard rules, for names that are not secret but differ
            between recording sessions (for example a live resource group name -> the name the replay tests
            use). A name is replaced whole (not inside a longer name; ``IT_<rg>_<template>_<guid>`` staging
            groups included) and in any case, as Azure may lower-case it in ids.

    Example:
        >>> Scrubber({"rg-alice": "azimagebuilder-tests"}).scrub_text("/resourcegroups/RG-ALICE/x rg-alice-2")
        '/resourcegroups/azimagebuilder-tests/x rg-alice-2'
    """

    def __init__(self, replacements: Mapping[str, str] | None = None) -> None:
        # Longest first, so a name that contains another is replaced whole.
        ordered = sorted(
            ((old, new) for old, new in (replacements or {}).items() if old), key=lambda kv: -len(kv[0])
        )
        self._replacements = [
            (
                re.compile(rf"(?<![A-Za-z0-9.-]){re.escape(old)}(?![A-Za-z0-9.-])", re.IGNORECASE),
                new.replace("\\", "\\\\"),  # a literal replacement, backslashes included
            )
            for old, new in ordered
        ]

    def scrub_text(self, text: str) -> str:
        """The text with every secret, id and local address replaced."""
        for name, new in self._replacements:
            text = name.sub(new, text)
        for pattern, replacement in _RULES:
            text = pattern.sub(replacement, text)
        return text

    def scrub_body(self, body: Any) -> Any:
        """A request or response body (bytes, str or None) with :meth:`scrub_text` applied if it is text."""
        if isinstance(body, str):
            return self.scrub_text(body)
        if isinstance(body, bytes | bytearray):
            try:
                text = bytes(body).decode("utf-8")
            except UnicodeDecodeError:  # binary content (a VHD page, say): nothing textual to scrub
                return body
            return self.scrub_text(text).encode("utf-8")
        return body

    def _scrub_headers(self, headers: Mapping[str, Any]) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for name, value in headers.items():
            if name.lower() in _DROPPED_HEADERS:
                continue
            if isinstance(value, list):
                kept[name] = [self.scrub_text(v) if isinstance(v, str) else v for v in value]
            else:
                kept[name] = self.scrub_text(value) if isinstance(value, str) else value
        return kept

    def before_record_request(self, request: Any) -> Any:
        """vcrpy hook: ``request`` is a copy of a ``vcr.request.Request``, changed in place and returned."""
        request.uri = self.scrub_text(request.uri)
        request.headers = self._scrub_headers(request.headers)
        if not getattr(request, "_was_file", False) and not getattr(request, "_was_iter", False):
            request.body = self.scrub_body(request.body)
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy hook: ``response`` is vcrpy's copy of the answer (the caller's answer is left alone)."""
        headers = self._scrub_headers(response.get("headers", {}))
        body = response.get("body")
        if isinstance(body, dict) and "string" in body:
            body = {**body, "string": self.scrub_body(body["string"])}
            length = len(body["string"] or b"")
            for name in headers:
                if name.lower() == "content-length":  # the body may have changed length
                    headers[name] = [str(length)] if isinstance(headers[name], list) else str(length)
        return {**response, "headers": headers, "body": body}


def recording_target(record_mode: str) -> str:
    """What a test session talks to: ``replay`` when recording is off, else ``$AZIMAGEBUILDER_RECORD_TARGET``.

    The target is ``emulator`` unless the variable says ``azure``.
    """
    if record_mode == "none":
        return "replay"
    target = os.environ.get(RECORD_TARGET_ENV, "emulator").strip().lower() or "emulator"
    if target not in {"emulator", "azure"}:
        raise ValueError(f"{RECORD_TARGET_ENV}={target!r}: expected 'emulator' or 'azure'")
    return target


def vcr_config(*, replacements: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``vcr.use_cassette``: return them from pytest-recording's ``vcr_config``."""
    scrubber = Scrubber(replacements)
    return {
        "before_record_request": scrubber.before_record_request,
        "before_record_response": scrubber.before_record_response,
        "decode_compressed_response": True,
        "match_on": list(MATCH_ON),
        "ignore_hosts": list(_IGNORED_HOSTS),
        "allow_playback_repeats": False,
    }


class _VCRLike(Protocol):
    def register_serializer(self, name: str, serializer: Any) -> None: ...


def configure_vcr(vcr: _VCRLike, *, recorded_against: str) -> None:
    """Make ``vcr`` write readable cassettes that say where they were recorded.

    Call it from pytest-recording's ``pytest_recording_configure(config, vcr)`` hook. The serializer is
    registered under vcrpy's own name ``yaml``, so cassettes keep their ``.yaml`` suffix and any vcrpy
    cassette still loads.
    """
    vcr.register_serializer("yaml", CassetteSerializer(recorded_against=recorded_against))


class ReplayCredential:
    """A ``TokenCredential`` for replay: a fixed fake token, no network (the header is never recorded)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """The fake ``AccessToken`` (``"replay-token"``, never expiring), whatever the scopes."""
        from azure.core.credentials import AccessToken

        return AccessToken("replay-token", 2**31 - 1)

    def close(self) -> None:
        """Nothing to release."""
        return None


class AsyncReplayCredential:
    """The ``AsyncTokenCredential`` twin of :class:`ReplayCredential`."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """The fake ``AccessToken`` of :meth:`ReplayCredential.get_token`."""
        return ReplayCredential().get_token(*scopes)

    async def close(self) -> None:
        """Nothing to release."""
        return None


def replay_transport(**kwargs: Any) -> Any:
    """An azure-core ``RequestsTransport`` that never waits: pass it as ``transport=`` to a replaying client.

    Polling intervals and ``Retry-After`` (of a 429 or of an operation status) all end in
    ``transport.sleep``, so a replay of a twenty-minute build takes milliseconds.
    """
    from azure.core.pipeline.transport import RequestsTransport

    class _NoWaitTransport(RequestsTransport):  # type: ignore[misc]  # lazily exported, seen as Any
        def sleep(self, duration: float) -> None:
            return None

    return _NoWaitTransport(**kwargs)


def async_replay_transport(**kwargs: Any) -> Any:
    """The ``AioHttpTransport`` twin of :func:`replay_transport`, for ``azimagebuilder.aio`` clients."""
    import asyncio

    from azure.core.pipeline.transport import AioHttpTransport

    class _NoWaitAioTransport(AioHttpTransport):  # type: ignore[misc]  # lazily exported, seen as Any
        async def sleep(self, duration: float) -> None:
            await asyncio.sleep(0)  # still yield to the loop, as a real sleep would

    return _NoWaitAioTransport(**kwargs)


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """pytest-recording's hook, ready made: readable cassettes saying what they were recorded against.

    In a ``conftest.py``: ``pytest_recording_configure = cassettes.pytest_recording_configure``
    (the target is :func:`recording_target` of the ``--record-mode``).
    """
    configure_vcr(vcr, recorded_against=recording_target(config.getoption("--record-mode") or "none"))


def assert_all_played(cassette: Any) -> None:
    """After a replayed test: fail unless every recorded answer was asked for (polls included, in order).

    A client that polls less than it did when recording would otherwise pass on a shortened story.
    """
    if not cassette.all_played:
        unplayed = len(cassette) - cassette.play_count
        raise AssertionError(f"{unplayed} recorded interaction(s) were never requested on replay")


# -- serializer -----------------------------------------------------------------------------------------

# The ways a JSON text can have been written that re-encoding reproduces exactly: compact (azure-core's
# json.dumps has ", " and ": "), or indented like ARM's answers (some resource providers end lines with
# CRLF); with or without \u escapes of non-ASCII ("-ascii"), and of & < > as ARM's Go and .NET
# serializers write them ("+html"). Newlines inside JSON strings are escaped, so every raw newline of an
# indented text is layout, and & < > only occur inside strings.
_JSON_LAYOUTS: dict[str, tuple[dict[str, Any], str]] = {
    "compact": ({"separators": (",", ":")}, "\n"),
    "spaced": ({}, "\n"),
    "indent1": ({"indent": 1}, "\n"),
    "indent2": ({"indent": 2}, "\n"),
    "indent4": ({"indent": 4}, "\n"),
    "indent1-crlf": ({"indent": 1}, "\r\n"),
    "indent2-crlf": ({"indent": 2}, "\r\n"),
    "indent4-crlf": ({"indent": 4}, "\r\n"),
}
_HTML_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))


def _json_format(layout: dict[str, Any], newline: str, ascii_only: bool, html: bool) -> Callable[[Any], str]:
    def dump(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=ascii_only, **layout)
        if newline != "\n":
            text = text.replace("\n", newline)
        if html:
            for char, escape in _HTML_ESCAPES:
                text = text.replace(char, escape)
        return text

    return dump


_JSON_FORMATS: dict[str, Callable[[Any], str]] = {
    f"{name}{ascii_suffix}{html_suffix}": _json_format(layout, newline, ascii_only, html)
    for name, (layout, newline) in _JSON_LAYOUTS.items()
    for ascii_suffix, ascii_only in (("", False), ("-ascii", True))
    for html_suffix, html in (("", False), ("+html", True))
}

# libyaml when available: faster, same output.
_SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _readable_body(text: Any) -> Any:
    """A JSON body as ``{"json": value, "format": name}`` when that encodes back to the same text."""
    if not isinstance(text, str) or not text.lstrip().startswith(("{", "[")):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    for name, dump in _JSON_FORMATS.items():
        if dump(value) == text:
            return {"json": value, "format": name}
    return text


def _original_body(body: Any) -> Any:
    if isinstance(body, dict) and "json" in body and body.get("format") in _JSON_FORMATS:
        return _JSON_FORMATS[body["format"]](body["json"])
    return body


def _api_versions(interactions: Iterable[Mapping[str, Any]]) -> list[str]:
    found = set()
    for interaction in interactions:
        found.update(re.findall(r"[?&]api-version=([^&\s]+)", interaction["request"].get("uri", "")))
    return sorted(found)


def read_provenance(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The ``recorded:`` field of a cassette written by :class:`CassetteSerializer` (None if absent)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = yaml.load(text, Loader=_SafeLoader)
    recorded = data.get("recorded") if isinstance(data, dict) else None
    return dict(recorded) if isinstance(recorded, dict) else None


class CassetteSerializer:
    """vcrpy serializer: YAML with JSON bodies as YAML values and a ``recorded:`` provenance field.

    ``deserialize(serialize(d))`` gives back the same interactions, bodies byte for byte.
    """

    def __init__(self, *, recorded_against: str = "unknown") -> None:
        self.recorded_against = recorded_against

    def serialize(self, cassette_dict: dict[str, Any]) -> str:
        """The cassette as YAML text, JSON bodies readable, with the ``recorded:`` provenance added."""
        interactions = []
        for interaction in cassette_dict.get("interactions", []):
            request = dict(interaction["request"])
            request["body"] = _readable_body(request.get("body"))
            response = dict(interaction["response"])
            if isinstance(response.get("body"), dict):
                response["body"] = {
                    **response["body"],
                    "string": _readable_body(response["body"].get("string")),
                }
            interactions.append({"request": request, "response": response})
        recorded = {
            "against": self.recorded_against,
            "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
            "api_versions": _api_versions(cassette_dict.get("interactions", [])),
            "azimagebuilder": __version__,
        }
        data = {"recorded": recorded, **cassette_dict, "interactions": interactions}
        text: str = yaml.dump(data, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=110)
        return text

    def deserialize(self, cassette_string: str) -> dict[str, Any]:
        """The interactions read back from :meth:`serialize`'s text, bodies as they were sent."""
        data: dict[str, Any] = yaml.load(cassette_string, Loader=_SafeLoader)
        if not isinstance(data, dict):
            return data
        for interaction in data.get("interactions", []):
            interaction["request"]["body"] = _original_body(interaction["request"].get("body"))
            body = interaction["response"].get("body")
            if isinstance(body, dict) and "string" in body:
                body["string"] = _original_body(body["string"])
        return data


# -- leak scan ------------------------------------------------------------------------------------------

_FAKE_OR_REDACTED = f"(?!{FAKE_SUBSCRIPTION_ID}|{REDACTED})"
_LEAK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, flags))
    for kind, pattern, flags in (
        ("bearer token", r"Bearer\s+" + _FAKE_OR_REDACTED + r"[A-Za-z0-9\-_.~+/=]{8,}", re.IGNORECASE),
        ("JWT", r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.", 0),
        ("SAS signature", r"[?&]sig=" + _FAKE_OR_REDACTED + r"[^&\s\"']+", 0),
        (
            "secret field",
            r"[\"']?(?:"
            + "|".join(_SECRET_JSON_KEYS)
            + r")[\"']?\s*[:=]\s*[\"']?"
            + _FAKE_OR_REDACTED
            + r"[^\s\"'&,}]+",
            0,
        ),
        ("authorization header", r"^\s*[\"']?authorization[\"']?\s*:", re.IGNORECASE | re.MULTILINE),
        ("subscription id", r"/subscriptions/" + _FAKE_OR_REDACTED + _GUID, re.IGNORECASE),
        (
            "subscription or tenant id",
            r"[\"']?(?:" + "|".join(_ID_JSON_KEYS) + r")[\"']?\s*:\s*[\"']?" + _FAKE_OR_REDACTED + _GUID,
            0,
        ),
        (
            "tenant id",
            r"(?:[?&](?:skoid|sktid)=|login\.microsoftonline\.com/)" + _FAKE_OR_REDACTED + _GUID,
            0,
        ),
        ("loopback address", r"127\.0\.0\.1|\blocalhost:\d+|\[::1\]", 0),
    )
)


@dataclass(frozen=True)
class Leak:
    """Something in a cassette that should have been scrubbed. ``excerpt`` shows only its first characters."""

    kind: str
    line: int
    excerpt: str
    path: Path | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.path else f"line {self.line}"
        return f"{where}: {self.kind} ({self.excerpt})"


def find_leaks(text: str, *, path: Path | None = None) -> list[Leak]:
    """Every secret, real subscription / tenant id or loopback address in ``text`` (a cassette's content)."""
    leaks = []
    for kind, pattern in _LEAK_PATTERNS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            shown = match.group(0).strip()
            excerpt = shown[:16] + ("…" if len(shown) > 16 else "")  # enough to find it, not to use it
            leaks.append(Leak(kind, line, excerpt, path))
    return sorted(leaks, key=lambda leak: leak.line)


def _cassette_files(directory: Path) -> Iterator[Path]:
    yield from sorted(
        p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml", ".json"} and p.is_file()
    )


def scan_cassettes(directory: str | os.PathLike[str]) -> list[Leak]:
    """:func:`find_leaks` over every cassette (``*.yaml``, ``*.yml``, ``*.json``) under ``directory``."""
    leaks: list[Leak] = []
    for path in _cassette_files(Path(directory)):
        leaks.extend(find_leaks(path.read_text(encoding="utf-8"), path=path))
    return leaks
