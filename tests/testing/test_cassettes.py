"""Scrubbing, the readable serializer and the leak scan of azimagebuilder.testing.cassettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from vcr.request import Request

from azimagebuilder import __version__
from azimagebuilder.testing import cassettes
from azimagebuilder.testing.cassettes import (
    FAKE_SUBSCRIPTION_ID,
    CassetteSerializer,
    Scrubber,
    find_leaks,
    recording_target,
    scan_cassettes,
)

REAL_SUB = "3f2c5a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"
REAL_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJlLXBhcnQ"
OP_URL = (
    f"https://127.0.0.1:50123/subscriptions/{REAL_SUB}/providers/Microsoft.VirtualMachineImages"
    "/locations/westus2/operations/0D3B1C8E-1111-2222-3333-444455556666?api-version=2019-05-01-preview"
)


def _request(uri: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Request:
    return Request("PUT", uri, body, headers or {})


# -- text rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            f"https://127.0.0.1:50123/subscriptions/{REAL_SUB}/resourceGroups/rg?api-version=2019-05-01-preview",
            f"https://management.azure.com/subscriptions/{FAKE_SUBSCRIPTION_ID}/resourceGroups/rg"
            "?api-version=2019-05-01-preview",
        ),
        (
            f"https://localhost:8443/SUBSCRIPTIONS/{REAL_SUB.upper()}/x",
            f"https://management.azure.com/SUBSCRIPTIONS/{FAKE_SUBSCRIPTION_ID}/x",
        ),
        (
            "http://127.0.0.1:10000/devstoreaccount1/vhds/out.vhd",
            "https://fakestorageaccount.blob.core.windows.net/vhds/out.vhd",
        ),
        (
            "https://itrgwestus2x9f.blob.core.windows.net/vhds/out.vhd?sv=2019-12-12&sig=AbC%2Bd%3D&se=2030-01-01",
            "https://fakestorageaccount.blob.core.windows.net/vhds/out.vhd?sv=2019-12-12&sig=REDACTED&se=2030-01-01",
        ),
        (
            f"?skoid={REAL_SUB}&sktid={REAL_TENANT}&sig=x",
            f"?skoid={FAKE_SUBSCRIPTION_ID}&sktid={FAKE_SUBSCRIPTION_ID}&sig=REDACTED",
        ),
        (f"Bearer {TOKEN}", "Bearer REDACTED"),
        (f'{{"token": "{TOKEN}"}}', '{"token": "REDACTED"}'),
        (
            '{"access_token": "abc.def", "expires_in": 3599}',
            '{"access_token": "REDACTED", "expires_in": 3599}',
        ),
        ('{"clientSecret":"s3cr\\"et","x":1}', '{"clientSecret":"REDACTED","x":1}'),
        (
            f'{{"tenantId": "{REAL_TENANT}", "subscriptionId":"{REAL_SUB}"}}',
            f'{{"tenantId": "{FAKE_SUBSCRIPTION_ID}", "subscriptionId":"{FAKE_SUBSCRIPTION_ID}"}}',
        ),
        (
            "grant_type=client_credentials&client_secret=p%40ss&scope=x",
            "grant_type=client_credentials&client_secret=REDACTED&scope=x",
        ),
        (
            f"https://login.microsoftonline.com/{REAL_TENANT}/oauth2/v2.0/token",
            f"https://login.microsoftonline.com/{FAKE_SUBSCRIPTION_ID}/oauth2/v2.0/token",
        ),
        # Ids that are not subscription or tenant ids stay (operation ids, run ids).
        (
            "/operations/0D3B1C8E-1111-2222-3333-444455556666",
            "/operations/0D3B1C8E-1111-2222-3333-444455556666",
        ),
    ],
)
def test_scrub_text(raw: str, expected: str) -> None:
    assert Scrubber().scrub_text(raw) == expected


def test_scrubbed_text_has_no_leak_left() -> None:
    raw = "\n".join([OP_URL, f"Bearer {TOKEN}", '{"access_token": "x.y.z"}', "?sig=abcdefghijkl"])
    assert find_leaks(raw)  # the raw text is caught ...
    assert find_leaks(Scrubber().scrub_text(raw)) == []  # ... and nothing survives scrubbing


def test_replacements_replace_whole_names_in_any_case() -> None:
    scrub = Scrubber({"img": "azimagebuilder-tests"})
    text = "/resourceGroups/img/x /resourcegroups/IMG/y IT_img_tmpl_0a1b imageTemplates img-2 my.img"
    assert scrub.scrub_text(text) == (
        "/resourceGroups/azimagebuilder-tests/x /resourcegroups/azimagebuilder-tests/y"
        " IT_azimagebuilder-tests_tmpl_0a1b imageTemplates img-2 my.img"
    )


def test_replacements_run_first_longest_first() -> None:
    scrub = Scrubber({"rg-alice": "rg-short", "rg-alice-live": "azimagebuilder-tests"})
    assert scrub.scrub_text("/resourceGroups/rg-alice-live/x and rg-alice") == (
        "/resourceGroups/azimagebuilder-tests/x and rg-short"
    )


# -- vcrpy hooks ------------------------------------------------------------------------------------------


def test_before_record_request_scrubs_uri_headers_and_body() -> None:
    body = json.dumps(
        {"properties": {"source": {"imageId": f"/subscriptions/{REAL_SUB}/resourceGroups/rg/x"}}}
    )
    request = _request(
        OP_URL,
        body.encode(),
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "User-Agent": "azsdk"},
    )
    scrubbed = Scrubber().before_record_request(request)
    assert scrubbed.host == "management.azure.com"
    assert scrubbed.port == 443
    assert REAL_SUB not in scrubbed.uri
    assert "Authorization" not in scrubbed.headers
    assert "User-Agent" not in scrubbed.headers
    assert scrubbed.headers["Content-Type"] == "application/json"
    assert json.loads(scrubbed.body)["properties"]["source"]["imageId"].startswith(
        f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/"
    )


def test_before_record_response_scrubs_lro_headers_and_fixes_length() -> None:
    body = json.dumps({"id": f"/subscriptions/{REAL_SUB}/x", "nextLink": OP_URL}).encode()
    response = {
        "status": {"code": 201, "message": "Created"},
        "headers": {
            "Azure-AsyncOperation": [OP_URL],
            "Location": [OP_URL],
            "Content-Length": [str(len(body))],
            "x-ms-request-id": ["abc"],
        },
        "body": {"string": body},
    }
    original = json.loads(json.dumps(response, default=bytes.decode))
    out = Scrubber().before_record_response(response)
    for name in ("Azure-AsyncOperation", "Location"):
        assert out["headers"][name][0].startswith(
            f"https://management.azure.com/subscriptions/{FAKE_SUBSCRIPTION_ID}/"
        )
    assert "x-ms-request-id" not in out["headers"]
    assert int(out["headers"]["Content-Length"][0]) == len(out["body"]["string"])
    assert b"127.0.0.1" not in out["body"]["string"]
    # the response the client goes on with is untouched
    assert json.loads(json.dumps(response, default=bytes.decode)) == original


def test_binary_bodies_pass_through() -> None:
    blob = bytes(range(256))
    assert Scrubber().scrub_body(blob) == blob


def test_vcr_config_never_repeats_playback() -> None:
    config = cassettes.vcr_config()
    assert config["allow_playback_repeats"] is False
    assert config["match_on"] == ["method", "scheme", "host", "port", "path", "query", "body"]
    assert "login.microsoftonline.com" in config["ignore_hosts"]


def test_recording_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cassettes.RECORD_TARGET_ENV, raising=False)
    assert recording_target("none") == "replay"
    assert recording_target("rewrite") == "emulator"
    monkeypatch.setenv(cassettes.RECORD_TARGET_ENV, "Azure")
    assert recording_target("rewrite") == "azure"
    monkeypatch.setenv(cassettes.RECORD_TARGET_ENV, "prod")
    with pytest.raises(ValueError, match="expected 'emulator' or 'azure'"):
        recording_target("rewrite")


# -- serializer -------------------------------------------------------------------------------------------

BODIES = [
    '{"location":"westus2","properties":{"buildTimeoutInMinutes":0,"x":[1,2.5,null,true]}}',
    '{"location": "westus2", "tags": {"a": "yes", "b": "0001-01-01T00:00:00Z", "c": "123"}}',
    '{"message": "caf\\u00e9 \\n line"}',
    '{"message":"café"}',
    '{\n "name": "79D4",\n "status": "InProgress",\n "list": [\n  1\n ]\n}',  # ARM's indent=1
    '{\r\n  "name": "img_1",\r\n  "id": "/x"\r\n}',  # Compute's CRLF
    '{\n "nextLink": "https://x?api-version=1\\u0026$skipToken=1"\n}',  # ARM's escaped &
    '{"a": "x & y", "b": "\\u0026"}',  # mixed: kept as text
    '{"a": 1}\n',  # trailing newline: kept as text, not re-encoded
    '{"b": 1, "a": 2}',  # key order matters
    "[]",
    "not json {",
    "",
]


def _cassette(body: str) -> dict[str, object]:
    return {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "PUT",
                    "uri": "https://management.azure.com/x?api-version=2019-05-01-preview",
                    "body": body,
                    "headers": {"Content-Type": ["application/json"]},
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"string": body},
                },
            }
        ],
    }


@pytest.mark.parametrize("body", BODIES)
def test_serializer_round_trips_bodies_exactly(body: str) -> None:
    serializer = CassetteSerializer(recorded_against="emulator")
    text = serializer.serialize(_cassette(body))
    back = serializer.deserialize(text)
    assert back["interactions"][0]["request"]["body"] == body
    assert back["interactions"][0]["response"]["body"]["string"] == body


@pytest.mark.parametrize(
    ("body", "stored_as"),
    [
        (BODIES[0], "compact"),
        (BODIES[1], "spaced"),
        (BODIES[2], "spaced-ascii"),
        (BODIES[4], "indent1"),
        (BODIES[5], "indent2-crlf"),
        (BODIES[6], "indent1+html"),
        (BODIES[7], None),
        (BODIES[8], None),
    ],
)
def test_serializer_stores_json_layouts_as_values(body: str, stored_as: str | None) -> None:
    text = CassetteSerializer().serialize(_cassette(body))
    stored = yaml.safe_load(text)["interactions"][0]["response"]["body"]["string"]
    if stored_as is None:
        assert stored == body
    else:
        assert stored == {"json": json.loads(body), "format": stored_as}


def test_serializer_writes_json_readably_with_provenance() -> None:
    text = CassetteSerializer(recorded_against="emulator").serialize(_cassette(BODIES[0]))
    data = yaml.safe_load(text)
    assert text.startswith("recorded:")
    assert data["recorded"]["against"] == "emulator"
    assert data["recorded"]["api_versions"] == ["2019-05-01-preview"]
    assert data["recorded"]["azimagebuilder"] == __version__
    assert data["interactions"][0]["response"]["body"]["string"] == {
        "json": json.loads(BODIES[0]),
        "format": "compact",
    }
    assert "buildTimeoutInMinutes: 0" in text  # one field per line: a leak shows in a diff


def test_configure_vcr_registers_under_yaml() -> None:
    registered: dict[str, object] = {}

    class FakeVCR:
        def register_serializer(self, name: str, serializer: object) -> None:
            registered[name] = serializer

    cassettes.configure_vcr(FakeVCR(), recorded_against="azure")
    serializer = registered["yaml"]
    assert isinstance(serializer, CassetteSerializer)
    assert serializer.recorded_against == "azure"


# -- leak scan --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"Authorization: Bearer {TOKEN}", "bearer token"),
        ("  Authorization:\n  - xyz", "authorization header"),
        ("uri: https://x.blob.core.windows.net/v/a.vhd?sv=1&sig=Zm9vYmFyYmF6cXV4", "SAS signature"),
        ('{"access_token": "abcdefgh"}', "secret field"),
        ("client_secret=abcdefgh", "secret field"),
        (f"uri: https://management.azure.com/subscriptions/{REAL_SUB}/x", "subscription id"),
        (f"tenantId: {REAL_TENANT}", "subscription or tenant id"),
        (f"?sktid={REAL_TENANT}", "tenant id"),
        ("uri: https://127.0.0.1:4443/subscriptions", "loopback address"),
        (TOKEN, "JWT"),
    ],
)
def test_find_leaks_catches(text: str, kind: str) -> None:
    leaks = find_leaks(text)
    assert kind in {leak.kind for leak in leaks}
    assert all(TOKEN not in str(leak) for leak in leaks)  # the report never repeats a whole secret


@pytest.mark.parametrize(
    "text",
    [
        f"uri: https://management.azure.com/subscriptions/{FAKE_SUBSCRIPTION_ID}/x",
        "sig=REDACTED",
        "Bearer REDACTED",
        '{"access_token": "REDACTED"}',
        f"tenantId: {FAKE_SUBSCRIPTION_ID}",
        "operations/0D3B1C8E-1111-2222-3333-444455556666",
    ],
)
def test_find_leaks_accepts_scrubbed(text: str) -> None:
    assert find_leaks(text) == []


def test_scan_cassettes_reports_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "clean.yaml").write_text("uri: https://management.azure.com/x\n")
    (tmp_path / "mod" / "dirty.yaml").write_text("a: 1\nuri: https://127.0.0.1:1/x\n")
    leaks = scan_cassettes(tmp_path)
    assert [(leak.path.name if leak.path else None, leak.line) for leak in leaks] == [("dirty.yaml", 2)]


# -- replay helpers ---------------------------------------------------------------------------------------


def test_replay_transport_never_sleeps() -> None:
    import time

    transport = cassettes.replay_transport()
    started = time.monotonic()
    transport.sleep(3600)  # what a Retry-After or a 30 s polling interval ends in
    assert time.monotonic() - started < 1


async def test_async_replay_transport_never_sleeps() -> None:
    import time

    transport = cassettes.async_replay_transport()
    started = time.monotonic()
    await transport.sleep(3600)
    assert time.monotonic() - started < 1
    await transport.close()


async def test_replay_credentials_give_a_token_without_network() -> None:
    assert cassettes.ReplayCredential().get_token("https://management.azure.com/.default").token
    token = await cassettes.AsyncReplayCredential().get_token("https://management.azure.com/.default")
    assert token.expires_on > 0


def test_read_provenance(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CassetteSerializer(recorded_against="azure").serialize(_cassette("{}")))
    provenance = cassettes.read_provenance(path)
    assert provenance is not None
    assert provenance["against"] == "azure"
    assert cassettes.read_provenance(tmp_path / "missing.yaml") is None


def test_pytest_recording_configure_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, object] = {}

    class FakeVCR:
        def register_serializer(self, name: str, serializer: object) -> None:
            registered[name] = serializer

    class FakeConfig:
        def getoption(self, name: str) -> str:
            assert name == "--record-mode"
            return "rewrite"

    monkeypatch.setenv(cassettes.RECORD_TARGET_ENV, "azure")
    cassettes.pytest_recording_configure(FakeConfig(), FakeVCR())
    serializer = registered["yaml"]
    assert isinstance(serializer, CassetteSerializer)
    assert serializer.recorded_against == "azure"


def test_assert_all_played() -> None:
    class FakeCassette:
        def __init__(self, played: int, total: int) -> None:
            self.play_count, self._total, self.all_played = played, total, played == total

        def __len__(self) -> int:
            return self._total

    cassettes.assert_all_played(FakeCassette(3, 3))
    with pytest.raises(AssertionError, match="2 recorded interaction"):
        cassettes.assert_all_played(FakeCassette(1, 3))
