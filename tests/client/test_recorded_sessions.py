"""The client against the real service: Azure CLI sessions recorded against live Azure (2019-2020).

The recordings in ``../shared/reference/azure-cli-recordings/`` are the server here. A transport answers each
request with the next recorded response for the same method and path (paths compared case-insensitively, as
ARM does), and checks that the client sent the recorded api-version. Only Image Builder requests are
replayed; the CLI's other calls (role assignments, resource groups) are not the client's business.
Skipped, with a message, when ../shared is absent.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from azure.core.exceptions import HttpResponseError
from client_support import AsyncFakeCredential, AsyncMockTransport, FakeCredential, MockTransport, Reply

from azimagebuilder import ImageBuilderClient
from azimagebuilder import _operations as ops
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient

pytestmark = pytest.mark.needs_shared

SUB = "00000000-0000-0000-0000-000000000000"


class RecordedService:
    """Answers requests from one recorded session, in recorded order per (method, path)."""

    def __init__(self, cassette: Path) -> None:
        data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
        self.queues: dict[tuple[str, str], deque[tuple[str, Reply]]] = defaultdict(deque)
        self.requests: list[tuple[str, str, Any]] = []  # recorded image-builder requests, in order
        for interaction in data["interactions"]:
            request, response = interaction["request"], interaction["response"]
            if "Microsoft.VirtualMachineImages" not in request["uri"]:
                continue
            url = urlparse(request["uri"])
            api_version = parse_qs(url.query)["api-version"][0]
            body = response["body"]["string"]
            headers = {k: v[0] for k, v in response["headers"].items()}
            reply = Reply(
                response["status"]["code"], body.encode() if isinstance(body, str) else body, headers
            )
            self.queues[(request["method"], url.path.lower())].append((api_version, reply))
            self.requests.append((request["method"], url.path, request.get("body")))
        self.last_get: dict[str, Reply] = {}
        self.served = 0

    def __call__(self, request: Any) -> Reply:
        url = urlparse(request.url)
        key = (request.method, url.path.lower())
        queue = self.queues.get(key)
        if not queue:
            # A GET the CLI did not repeat (the client reads the template once more after a run):
            # the resource has not changed since its last recorded answer.
            assert request.method == "GET", f"not in the recording: {request.method} {url.path}"
            assert key[1] in self.last_get, f"not in the recording: GET {url.path}"
            return self.last_get[key[1]]
        api_version, reply = queue.popleft()
        assert parse_qs(url.query)["api-version"] == [api_version]
        if request.method == "GET":
            self.last_get[key[1]] = reply
        self.served += 1
        return reply

    def left(self, method: str, path_part: str) -> int:
        return sum(len(q) for (m, p), q in self.queues.items() if m == method and path_part.lower() in p)

    def recorded_put_body(self, template_name: str) -> dict[str, Any]:
        for method, path, body in self.requests:
            if method == "PUT" and path.endswith("/" + template_name):
                if isinstance(body, str) and body.startswith(("b'", 'b"')):
                    body = ast.literal_eval(body)  # the older recordings kept the repr of the bytes
                return dict(json.loads(body))
        raise LookupError(template_name)


def client_for(service: RecordedService, api_version: str = "2019-05-01-preview") -> ImageBuilderClient:
    return ImageBuilderClient(
        FakeCredential(), SUB, api_version=api_version, transport=MockTransport(service), polling_interval=0
    )


def recording(shared_reference: Path, name: str) -> Path:
    return shared_reference / "azure-cli-recordings" / name


def test_create_run_and_read_run_outputs_on_a_real_session(shared_reference: Path) -> None:
    service = RecordedService(
        recording(shared_reference, "2019-05-01-preview__test_image_build_managed_image.yaml")
    )
    rg, name = "img_tmpl_managed000001", "template01"
    client = client_for(service)
    body = service.recorded_put_body(name)

    template = client.begin_create_or_update(rg, name, body).result()  # checked locally, then sent
    assert template.provisioning_state == "Succeeded"
    assert template.customize[0].sha256_checksum  # computed by the service, read back

    status = client.begin_run(rg, name).result()  # 27 recorded polls, about 13 minutes of real build
    assert str(status.run_state) == "Succeeded"
    assert status.end_time is not None
    assert service.left("GET", "/operations/") == 1  # only the later template02 poll is left

    output = client.get_run_output(rg, name, "img_1")
    assert output.name == "img_1"
    assert (
        output.artifact_id
        == f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/images/img_1"
    )
    assert str(output.provisioning_state) == "Succeeded"

    # The second template of the session is built from the first one's output.
    second = client.begin_create_or_update(rg, "template02", service.recorded_put_body("template02")).result()
    assert second.source.image_id == output.artifact_id  # type: ignore[union-attr]
    assert all(not q for q in service.queues.values())  # every recorded Image Builder answer was used


@pytest.mark.parametrize(
    ("cassette", "rg", "names"),
    [
        (
            "2019-05-01-preview__test_image_template_outputs.yaml",
            "img_tmpl_customizers000001",
            ["template01"],
        ),
        (
            "2019-05-01-preview__test_image_builder_customizers.yaml",
            "img_tmpl_customizers000001",
            ["template01"],
        ),
        (
            "2019-05-01-preview__test_image_builder_template_file.yaml",
            "cli_test_image_builder_template_file_000001",
            ["tmp1", "tmp2"],
        ),
    ],
)
def test_recorded_creates_send_the_recorded_body_and_read_the_result(
    shared_reference: Path, cassette: str, rg: str, names: list[str]
) -> None:
    service = RecordedService(recording(shared_reference, cassette))
    transport_client = client_for(service)
    for name in names:
        body = service.recorded_put_body(name)
        poller = transport_client.begin_create_or_update(rg, name, body, validate=False)
        sent = json.loads(poller.polling_method()._initial_response.http_request.content)  # type: ignore[attr-defined]
        assert sent == {k: body[k] for k in ("location", "tags", "identity", "properties") if k in body}
        template = poller.result()
        assert str(template.provisioning_state) == "Succeeded"
        assert template.name == name
        assert template.location == body["location"]


def test_a_refused_create_carries_the_services_code(shared_reference: Path) -> None:
    service = RecordedService(
        recording(shared_reference, "2020-02-14__test_image_builder_template_file.yaml")
    )
    client = client_for(service, api_version="2020-02-14")
    with pytest.raises(HttpResponseError) as info:
        client.begin_create_or_update(
            "cli_test_image_builder_template_file_000001",
            "tmp1",
            service.recorded_put_body("tmp1"),
            validate=False,
        )
    assert info.value.status_code == 403
    assert info.value.error is not None
    assert info.value.error.code == "LinkedAuthorizationFailed"


async def test_a_2020_session_run_status_and_a_reused_template(shared_reference: Path) -> None:
    """2020-02-14: the run is followed on the template (Running/Queued, then Canceling, an open enum), and
    what the service echoes for the created template counts as identical (build() would reuse it)."""
    service = RecordedService(recording(shared_reference, "2020-02-14__test_image_builder_cancel.yaml"))
    rg, name = "img_tmpl_cancel_000001", "template1"
    body = service.recorded_put_body(name)
    async with AsyncImageBuilderClient(
        AsyncFakeCredential(),
        SUB,
        api_version="2020-02-14",
        transport=AsyncMockTransport(service),
        polling_interval=0,
    ) as client:
        poller = await client.begin_create_or_update(rg, name, body)
        created = await poller.result()
        assert created.identity is not None
        echoed = json.loads(
            service.last_get[
                poller.polling_method()
                ._initial_response.http_request.url.split("?")[0]
                .lower()
                .split("management.azure.com")[1]
            ].body
        )  # type: ignore[attr-defined]
        assert (
            ops.template_differences(ops.template_body(body, validate=True, api_version="2020-02-14"), echoed)
            == []
        )

        run = await client.begin_run(rg, name)
        assert run.continuation_token()
        running = (await client.get(rg, name)).last_run_status
        assert running is not None
        assert (str(running.run_state), str(running.run_sub_state)) == ("Running", "Queued")
        assert running.end_time is None  # the zero date
        assert running.start_time is not None
        assert running.start_time.microsecond == 838053  # nine fractional digits parsed
        canceling = (await client.get(rg, name)).last_run_status
        assert canceling is not None
        assert str(canceling.run_state) == "Canceling"
