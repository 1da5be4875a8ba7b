"""Every build finishes under faults, and never twice: POST and PATCH are retried on dropped connections and
on 429/5xx with or without Retry-After, and a retried request the service had already carried out is
reconciled (a run in progress adopted, an identical template taken as created) instead of failing.

Against the emulator (its FaultRule drops or fails the first matching request, before or after the service
acted) and against a scripted transport (exact request sequences and sleeps)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError
from client_support import (
    NAME,
    OP_PATH,
    RG,
    SUB,
    TEMPLATE_PATH,
    FakeCredential,
    MockTransport,
    Reply,
    Script,
    accepted,
    dropped,
    local_template,
    op,
    template_body,
)
from linux_template import linux_body

from azimagebuilder import ImageBuilderClient
from azimagebuilder._resilience import RetryPolicy
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
from azimagebuilder.emulator import FaultRule

ERG = "rg-faults"
DONE = {"runState": "Succeeded", "runSubState": "", "message": "", "startTime": "2020-01-01T00:00:00Z"}


def template(emu: Any) -> dict[str, Any]:
    return linux_body()


def client_for(emu: Any, **kwargs: Any) -> ImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    kwargs.setdefault("retry_backoff_factor", 0.01)
    return ImageBuilderClient(
        emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert, **kwargs
    )


def async_client_for(emu: Any, **kwargs: Any) -> AsyncImageBuilderClient:
    kwargs.setdefault("polling_interval", 0.05)
    kwargs.setdefault("retry_backoff_factor", 0.01)
    return AsyncImageBuilderClient(
        emu.credential, emu.subscription_id, base_url=emu.base_url, connection_verify=emu.ca_cert, **kwargs
    )


def operations(emu: Any, kind: str) -> int:
    ops = emu.state.snapshot()["sections"]["imagebuilder"]["operations"]
    return sum(1 for o in ops.values() if o["kind"] == kind)


def created(emu: Any, client: ImageBuilderClient, name: str = "t") -> None:
    client.begin_create_or_update(ERG, name, template(emu)).result()


# -- runs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        FaultRule("imageTemplates.run", "drop", times=1),
        FaultRule("imageTemplates.run", 429, times=1, retry_after=None),
        FaultRule("imageTemplates.run", 429, times=1, retry_after=0),
        FaultRule("imageTemplates.run", 500, times=1),
        FaultRule("imageTemplates.run", 503, times=1, retry_after=None),
        FaultRule("imageTemplates.run", 504, times=1),
    ],
    ids=lambda rule: f"{rule.status}-retry-after-{rule.retry_after}",
)
def test_a_run_post_that_never_arrived_is_retried_and_runs_once(
    start_emulator: Callable[..., Any], fault: FaultRule
) -> None:
    emu = start_emulator(build_duration=0.5)
    with client_for(emu) as client:
        created(emu, client)
        emu.faults.add(fault)
        status = client.begin_run(ERG, "t").result()
    assert status.run_state == "Succeeded"
    assert fault.hits == 1
    assert operations(emu, "run") == 1


@pytest.mark.parametrize("kind", ["drop", 500, 504])
def test_a_run_post_whose_answer_was_lost_adopts_the_run_it_started(
    start_emulator: Callable[..., Any], kind: Any
) -> None:
    """The first POST started the run and its answer was lost; the retry meets 409 (a build is running):
    that run is ours, polled to its end, and no second run is started."""
    emu = start_emulator(build_duration=1.0)
    with client_for(emu) as client:
        created(emu, client)
        emu.faults.add(FaultRule("imageTemplates.run", kind, times=1, after=True))
        poller = client.begin_run(ERG, "t")
        status = poller.result()
        assert client.get(ERG, "t").last_run_status == status
    assert status.run_state == "Succeeded"
    assert operations(emu, "run") == 1


def test_an_adopted_run_that_fails_raises_build_failed(start_emulator: Callable[..., Any]) -> None:
    from azimagebuilder._errors import BuildFailedError

    emu = start_emulator(build_duration=0.8)
    failing = template(emu)
    failing["tags"] = {"azimagebuilder.emulator.scenario": "fail:Customizing"}
    with client_for(emu) as client:
        client.begin_create_or_update(ERG, "bad", failing).result()
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1, after=True))
        with pytest.raises(BuildFailedError) as info:
            client.begin_run(ERG, "bad").result()
    assert info.value.last_run_status is not None
    assert info.value.last_run_status.run_state == "Failed"
    assert operations(emu, "run") == 1


def test_an_adopted_runs_continuation_token_resumes(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=1.0)
    with client_for(emu) as client:
        created(emu, client)
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1, after=True))
        token = client.begin_run(ERG, "t").continuation_token()
        status = client.begin_run(ERG, "t", continuation_token=token).result()
    assert status.run_state == "Succeeded"
    assert operations(emu, "run") == 1


def test_build_finishes_when_the_run_answer_is_lost(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=0.8)
    with client_for(emu) as client:
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1, after=True))
        emu.faults.add(FaultRule("imageTemplates.put", "drop", times=1, after=True))
        result = client.build(ERG, "b", template(emu))
    assert result.succeeded
    assert operations(emu, "run") == 1


# -- templates ----------------------------------------------------------------------------------------


def test_a_put_whose_answer_was_lost_is_retried_to_the_same_template(
    start_emulator: Callable[..., Any],
) -> None:
    emu = start_emulator(build_duration=0.5)
    with client_for(emu) as client:
        emu.faults.add(FaultRule("imageTemplates.put", "drop", times=1, after=True))
        made = client.begin_create_or_update(ERG, "t", template(emu)).result()
        assert made.provisioning_state == "Succeeded"
        assert [t.name for t in client.list(ERG)] == ["t"]


@pytest.mark.parametrize(
    "fault",
    [
        FaultRule("imageTemplates.patch", "drop", times=1),
        FaultRule("imageTemplates.patch", "drop", times=1, after=True),
        FaultRule("imageTemplates.patch", 429, times=1, retry_after=None),
    ],
    ids=["drop", "drop-after", "429-no-retry-after"],
)
def test_a_patch_is_retried(start_emulator: Callable[..., Any], fault: FaultRule) -> None:
    emu = start_emulator(build_duration=0.5)
    with client_for(emu) as client:
        created(emu, client)
        emu.faults.add(fault)
        updated = client.begin_update(ERG, "t", tags={"team": "images"}).result()
    assert updated.tags == {"team": "images"}
    assert fault.hits == 1


# -- aio ----------------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_the_async_client_retries_a_dropped_run_post_and_adopts_the_run(
    start_emulator: Callable[..., Any],
) -> None:
    emu = start_emulator(build_duration=1.0)
    async with async_client_for(emu) as client:
        await (await client.begin_create_or_update(ERG, "t", template(emu))).result()
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1, after=True))
        status = await (await client.begin_run(ERG, "t")).result()
        assert status.run_state == "Succeeded"
        emu.faults.add(FaultRule("imageTemplates.run", "drop", times=1))
        emu.faults.add(FaultRule("imageTemplates.run", 429, times=1, retry_after=None))
        again = await (await client.begin_run(ERG, "t")).result()
        assert again.run_state == "Succeeded"
        emu.faults.add(FaultRule("imageTemplates.patch", "drop", times=1, after=True))
        updated = await (await client.begin_update(ERG, "t", tags={"a": "b"})).result()
        assert updated.tags == {"a": "b"}
    assert operations(emu, "run") == 2


async def test_the_async_build_finishes_when_answers_are_lost(start_emulator: Callable[..., Any]) -> None:
    emu = start_emulator(build_duration=0.8)
    async with async_client_for(emu) as client:
        emu.faults.add(FaultRule("imageTemplates.run", 500, times=1, after=True))
        emu.faults.add(FaultRule("imageTemplates.put", "drop", times=1, after=True))
        result = await client.build(ERG, "b", template(emu))
    assert result.succeeded
    assert operations(emu, "run") == 1


# -- exact sequences (scripted transport) ---------------------------------------------------------------


def make(steps: list[Any], **kwargs: Any) -> tuple[ImageBuilderClient, MockTransport, Script]:
    script = Script(steps)
    transport = MockTransport(script)
    kwargs.setdefault("retry_backoff_factor", 0)
    client = ImageBuilderClient(FakeCredential(), SUB, transport=transport, polling_interval=0, **kwargs)
    return client, transport, script


CONFLICT = Reply(409, {"error": {"code": "Conflict", "message": "already running a build"}})
RUNNING = {
    "runState": "Running",
    "runSubState": "Building",
    "message": "",
    "startTime": "2020-01-01T00:00:00Z",
}


def test_a_first_run_post_meeting_409_is_not_adopted() -> None:
    """Not retried: the run in progress is someone else's, so the 409 stands."""
    client, _, script = make([("POST", TEMPLATE_PATH + "/run", CONFLICT)])
    with pytest.raises(ResourceExistsError):
        client.begin_run(RG, NAME)
    assert script.done


def test_a_retried_run_post_meeting_409_without_a_run_in_progress_is_an_error() -> None:
    client, _, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", dropped()),
            ("POST", TEMPLATE_PATH + "/run", CONFLICT),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    with pytest.raises(ResourceExistsError):
        client.begin_run(RG, NAME)
    assert script.done


def test_a_retried_run_post_meeting_409_polls_the_template_to_the_runs_end() -> None:
    client, _, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", Reply(504, None)),
            ("POST", TEMPLATE_PATH + "/run", CONFLICT),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=RUNNING))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=RUNNING))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ]
    )
    assert client.begin_run(RG, NAME).result().run_state == "Succeeded"
    assert script.done


def test_a_retried_put_meeting_409_with_the_same_template_is_success() -> None:
    client, _, script = make(
        [
            ("PUT", TEMPLATE_PATH, dropped()),
            ("PUT", TEMPLATE_PATH, Reply(409, {"error": {"code": "Conflict", "message": "exists"}})),
            ("GET", TEMPLATE_PATH, Reply(200, template_body("Creating"))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body("Succeeded"))),
        ]
    )
    made = client.begin_create_or_update(RG, NAME, local_template(), validate=False).result()
    assert made.provisioning_state == "Succeeded"
    assert script.done


def test_a_retried_put_meeting_409_with_a_different_template_is_an_error() -> None:
    other = template_body()
    other["properties"]["customize"][0]["inline"] = ["echo other"]
    client, _, script = make(
        [
            ("PUT", TEMPLATE_PATH, dropped()),
            ("PUT", TEMPLATE_PATH, Reply(409, {"error": {"code": "Conflict", "message": "exists"}})),
            ("GET", TEMPLATE_PATH, Reply(200, other)),
        ]
    )
    with pytest.raises(ResourceExistsError):
        client.begin_create_or_update(RG, NAME, local_template(), validate=False)
    assert script.done


def test_a_429_without_retry_after_on_a_post_waits_a_backoff_before_retrying() -> None:
    client, transport, script = make(
        [
            ("POST", TEMPLATE_PATH + "/run", Reply(429, None)),
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            ("GET", OP_PATH, op("Succeeded")),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
        ],
        retry_backoff_factor=2,
    )
    assert client.begin_run(RG, NAME).result().run_state == "Succeeded"
    assert script.done
    assert 1.0 <= transport.sleeps[0] <= 2.0  # never an immediate retry of a throttled request


def test_retries_are_bounded_for_posts_too() -> None:
    client, _, _ = make([("POST", TEMPLATE_PATH + "/run", dropped())] * 3, retry_total=2)
    with pytest.raises(Exception, match="connection dropped"):
        client.begin_run(RG, NAME)


def test_the_backoff_is_exponential_with_jitter() -> None:
    random.seed(3)
    policy = RetryPolicy(retry_backoff_factor=1, retry_backoff_max=60)
    waits = [
        policy.get_backoff_time({"backoff": 1, "max_backoff": 60, "history": [0] * n}) for n in range(1, 6)
    ]
    assert waits[0] == 0  # the first retry goes at once (a dropped connection), as in azure-core
    for n, wait in enumerate(waits[1:], start=2):
        assert 0.5 * 2 ** (n - 1) <= wait <= 2 ** (n - 1)
    assert len({w / 2 ** (n + 1) for n, w in enumerate(waits[1:])}) > 1  # jittered, not a fixed ladder


def test_a_retried_cancel_meeting_409_while_the_run_is_canceling_is_adopted() -> None:
    """The first POST .../cancel was carried out and its answer lost; the retry meets 409 (no build in
    progress to cancel): the run is canceling, which is what was asked, so it is polled to Canceled."""
    from azimagebuilder._constants import CURRENT_STABLE_API_VERSION

    canceling = {**DONE, "runState": "Canceling", "runSubState": ""}
    canceled = {**DONE, "runState": "Canceled", "runSubState": ""}
    no_build = Reply(409, {"error": {"code": "Conflict", "message": "has no build in progress to cancel"}})
    client, _, script = make(
        [
            ("POST", TEMPLATE_PATH + "/cancel", dropped()),
            ("POST", TEMPLATE_PATH + "/cancel", no_build),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=canceling))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=canceling))),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=canceled))),
        ],
        api_version=CURRENT_STABLE_API_VERSION,
    )
    assert str(client.begin_cancel(RG, NAME).result().run_state) == "Canceled"
    assert script.done


def test_a_first_cancel_meeting_409_is_not_adopted() -> None:
    from azimagebuilder._constants import CURRENT_STABLE_API_VERSION

    no_build = Reply(409, {"error": {"code": "Conflict", "message": "has no build in progress to cancel"}})
    client, _, script = make(
        [("POST", TEMPLATE_PATH + "/cancel", no_build)], api_version=CURRENT_STABLE_API_VERSION
    )
    with pytest.raises(ResourceExistsError):
        client.begin_cancel(RG, NAME)
    assert script.done
