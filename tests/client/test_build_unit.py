"""build(): create or reuse, run, progress events, replace semantics, timeout; against scripted replies."""

from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from client_support import (
    NAME,
    OP_PATH,
    OP_URL,
    RG,
    SUB,
    TEMPLATE_PATH,
    FakeCredential,
    MockTransport,
    Reply,
    Script,
    accepted,
    json_of,
    local_template,
    op,
    template_body,
)

from azimagebuilder._client import BuildResult, ImageBuilderClient
from azimagebuilder._errors import (
    BuildFailedError,
    BuildTimeoutError,
    TemplateExistsError,
    TemplateValidationError,
)
from azimagebuilder.progress import BuildProgress, ProgressDisplay

START = "2020-09-08T04:29:55.838053665Z"


def lrs(state: str, sub: str | None, end: str = "0001-01-01T00:00:00Z", message: str = "") -> dict[str, Any]:
    out = {"startTime": START, "endTime": end, "runState": state, "message": message}
    if sub:
        out["runSubState"] = sub
    return out


VHD = {
    "name": "vhd",
    "properties": {
        "artifactUri": "https://a.blob.core.windows.net/vhds/x.vhd",
        "provisioningState": "Succeeded",
    },
}
NOT_FOUND = Reply(404, {"error": {"code": "ResourceNotFound", "message": "not found"}})
CREATE = [
    ("PUT", TEMPLATE_PATH, Reply(201, template_body("Creating"), {"Azure-AsyncOperation": OP_URL})),
    ("GET", OP_PATH, op("Succeeded")),
    ("GET", TEMPLATE_PATH, Reply(200, template_body())),
]
DONE = lrs("Succeeded", "Distributing", end="2020-09-08T04:41:02Z")
RUN = [
    ("POST", TEMPLATE_PATH + "/run", accepted()),
    ("GET", OP_PATH, op("InProgress")),
    ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=lrs("Running", "Queued")))),
    ("GET", OP_PATH, op("InProgress")),
    ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=lrs("Running", "Queued")))),
    ("GET", OP_PATH, op("InProgress")),
    ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=lrs("Running", "Customizing")))),
    ("GET", OP_PATH, op("Succeeded")),
    ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
    ("GET", TEMPLATE_PATH + "/runOutputs", Reply(200, {"value": [VHD]})),
    ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
]


def make(steps: list[Any]) -> tuple[ImageBuilderClient, MockTransport, Script]:
    script = Script(steps)
    transport = MockTransport(script)
    client = ImageBuilderClient(
        FakeCredential(), SUB, transport=transport, polling_interval=0, retry_backoff_factor=0
    )
    return client, transport, script


def test_build_creates_runs_reports_each_change_and_returns_outputs() -> None:
    client, transport, script = make([("GET", TEMPLATE_PATH, NOT_FOUND), *CREATE, *RUN])
    events: list[BuildProgress] = []
    result = client.build(RG, NAME, local_template(), progress=events.append)
    assert script.done
    assert isinstance(result, BuildResult)
    assert result.succeeded
    assert not result.partially_succeeded
    assert result.vhd_uris == {"vhd": "https://a.blob.core.windows.net/vhds/x.vhd"}
    assert result.output("vhd").artifact_uri is not None
    assert json_of(transport.requests[1]) == local_template()
    seen = [(e.phase, e.run_state, e.run_sub_state) for e in events]
    assert seen == [
        ("creating", None, None),
        ("running", None, None),
        ("running", "Running", "Queued"),  # reported once although read twice
        ("running", "Running", "Customizing"),
        ("running", "Succeeded", "Distributing"),
        ("done", "Succeeded", "Distributing"),
    ]
    assert all(isinstance(e.elapsed, timedelta) for e in events)
    assert events[-1].elapsed >= events[0].elapsed
    with pytest.raises(KeyError, match="vhd"):
        result.output("nope")


def test_an_identical_existing_template_is_reused() -> None:
    existing = template_body(last_run=DONE, tags={"azimagebuilder.vhdCopied.vhd": "https://x"})
    existing["properties"]["source"]["version"] = "latest (18.04.202004290)"  # resolved by the service
    existing["properties"]["customize"][0]["sha256Checksum"] = "ab" * 32
    client, transport, script = make([("GET", TEMPLATE_PATH, Reply(200, existing)), *RUN])
    client.build(RG, NAME, local_template())
    assert script.done
    assert "PUT" not in [r.method for r in transport.requests]


def test_a_different_existing_template_is_refused_without_replace() -> None:
    existing = template_body()
    existing["properties"]["customize"][0]["inline"] = ["echo something else"]
    client, transport, _ = make([("GET", TEMPLATE_PATH, Reply(200, existing))])
    with pytest.raises(TemplateExistsError, match="replace=True") as info:
        client.build(RG, NAME, local_template())
    assert info.value.differences == ["properties.customize[0].inline[0]"]
    assert [r.method for r in transport.requests] == ["GET"]


def test_replace_deletes_and_recreates_a_different_template() -> None:
    existing = template_body()
    existing["properties"]["customize"][0]["inline"] = ["echo something else"]
    client, transport, script = make(
        [
            ("GET", TEMPLATE_PATH, Reply(200, existing)),
            (
                "GET",
                TEMPLATE_PATH,
                Reply(200, existing),
            ),  # the delete's VHD guard: no run yet, nothing to lose
            ("DELETE", TEMPLATE_PATH, accepted()),
            ("GET", OP_PATH, op("Succeeded")),
            *CREATE,
            *RUN,
        ]
    )
    events: list[BuildProgress] = []
    client.build(RG, NAME, local_template(), replace=True, progress=events.append)
    assert script.done
    assert [e.phase for e in events][:2] == ["replacing", "creating"]
    assert [r.method for r in transport.requests][:4] == ["GET", "GET", "DELETE", "GET"]


def test_a_failed_build_raises_from_build() -> None:
    failed = lrs("Failed", "Customizing", end="2020-09-08T04:41:02Z", message="customization failed")
    client, _, _ = make(
        [
            ("GET", TEMPLATE_PATH, NOT_FOUND),
            *CREATE,
            ("POST", TEMPLATE_PATH + "/run", accepted()),
            (
                "GET",
                OP_PATH,
                op("Failed", error={"code": "PackerBuildFailed", "message": "see customization.log"}),
            ),
            ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=failed))),
        ]
    )
    events: list[BuildProgress] = []
    with pytest.raises(BuildFailedError) as info:
        client.build(RG, NAME, local_template(), progress=events.append)
    assert events[-1].phase == "done"
    assert events[-1].run_state == "Failed"
    assert events[-1].code == "PackerBuildFailed"
    assert events[-1].describe().startswith(f"{NAME}: Failed: PackerBuildFailed (")
    assert info.value.code == "PackerBuildFailed"
    assert info.value.last_run_status is not None
    assert info.value.last_run_status.message == "customization failed"


def test_a_template_with_errors_is_refused_before_any_request() -> None:
    bad = local_template()
    bad["properties"]["distribute"] = []
    client, transport, _ = make([])
    with pytest.raises(TemplateValidationError):
        client.build(RG, NAME, bad)
    with pytest.raises(TemplateValidationError):
        client.begin_create_or_update(RG, NAME, bad)
    assert transport.requests == []


def test_timeout_raises_with_a_continuation_token_and_the_build_goes_on() -> None:
    finished = threading.Event()

    def service(request: Any) -> Reply:
        path = request.url.split("?")[0]
        if request.method == "GET" and path.endswith(NAME) and not finished.is_set():
            return (
                Reply(404, {"error": {"code": "ResourceNotFound", "message": "none"}})
                if not service.created
                else Reply(200, template_body(last_run=lrs("Running", "Building")))
            )
        if request.method == "PUT":
            service.created = True
            return Reply(200, template_body())
        if request.method == "POST":
            return accepted()
        if path.endswith("op1"):
            return op("Succeeded" if finished.is_set() else "InProgress")
        return Reply(200, template_body(last_run=DONE))

    service.created = False  # type: ignore[attr-defined]

    class SlowTransport(MockTransport):
        def sleep(self, duration: float) -> None:
            time.sleep(duration)

    transport = SlowTransport(service)  # type: ignore[arg-type]
    client = ImageBuilderClient(FakeCredential(), SUB, transport=transport, polling_interval=0.02)
    started = time.monotonic()
    events: list[BuildProgress] = []
    with pytest.raises(BuildTimeoutError) as info:
        client.build(RG, NAME, local_template(), timeout=0.3, progress=events.append)
    assert events[-1].phase == "timed-out"
    assert "timed out" in events[-1].describe()
    assert 0.3 <= time.monotonic() - started < 5
    assert info.value.continuation_token
    finished.set()  # let the background poller end
    resumed = client.begin_run(RG, NAME, continuation_token=info.value.continuation_token)
    assert resumed.result().run_state == "Succeeded"


def test_progress_display_writes_plain_lines_to_a_file(tmp_path: Any) -> None:
    path = tmp_path / "log.txt"
    with path.open("w") as stream:
        display = ProgressDisplay(stream=stream)
        display(BuildProgress(NAME, "running", "Running", "Building", "", timedelta(seconds=65)))
        display.close()
    assert path.read_text() == f"{NAME}: Building (1m 05s)\n"


def test_progress_display_updates_one_line_in_a_terminal() -> None:
    class Tty:
        def __init__(self) -> None:
            self.text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    tty = Tty()
    display = ProgressDisplay(stream=tty)  # type: ignore[arg-type]
    display(BuildProgress(NAME, "running", "Running", "Customizing", "", timedelta(seconds=1)))
    display(BuildProgress(NAME, "running", "Running", "Queued", "", timedelta(seconds=2)))
    display.close()
    assert tty.text.count("\r") == 2
    assert tty.text.endswith("\n")
    assert "Queued (0m 02s)     " in tty.text  # the shorter line blanks out the longer one


def test_progress_true_uses_the_display(capsys: pytest.CaptureFixture[str]) -> None:
    client, _, _ = make([("GET", TEMPLATE_PATH, NOT_FOUND), *CREATE, *RUN])
    client.build(RG, NAME, local_template(), progress=True)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"{NAME}: creating (")
    assert f"{NAME}: Customizing (" in out
    assert "Running" not in out  # the sub-state alone reads naturally
    assert lines[-1].startswith(f"{NAME}: Succeeded (")  # the outcome, shown once, last
    assert sum(f"{NAME}: Succeeded" in line for line in lines) == 1
    assert "Distributing" not in lines[-1]


def test_progress_display_updates_one_cell_in_jupyter(monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand-in IPython modules: the display looks IPython up in sys.modules, so the test needs no
    # IPython installed and still goes through the same code path as a Jupyter kernel.
    import types

    class ZMQInteractiveShell:  # what a Jupyter kernel's shell is called
        pass

    shown: list[tuple[str, Any]] = []

    class Handle:
        def update(self, data: dict[str, str], raw: bool) -> None:
            shown.append(("update", data["text/plain"]))

    def fake_display(data: dict[str, str], raw: bool, display_id: bool) -> Handle:
        shown.append(("display", data["text/plain"]))
        return Handle()

    ipython = types.ModuleType("IPython")
    ipython_display = types.ModuleType("IPython.display")
    ipython.get_ipython = lambda: ZMQInteractiveShell()  # type: ignore[attr-defined]
    ipython_display.display = fake_display  # type: ignore[attr-defined]
    ipython.display = ipython_display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython_display)
    display = ProgressDisplay()
    display(BuildProgress(NAME, "creating", None, None, "", timedelta(seconds=1)))
    display(BuildProgress(NAME, "running", "Running", "Building", "", timedelta(seconds=2)))
    display.close()
    assert shown == [
        ("display", f"{NAME}: creating (0m 01s)"),
        ("update", f"{NAME}: Building (0m 02s)"),
    ]


def test_importing_the_errors_module_imports_no_azure_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, azimagebuilder._errors as e; print(any(m.startswith('azure') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = "from azimagebuilder._errors import BuildFailedError as B; print(B.__mro__[1].__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "HttpResponseError"


def test_a_tags_only_difference_is_patched_in_place_not_refused() -> None:
    existing = template_body(tags={"team": "old", "azimagebuilder.vhdCopied.vhd": "https://x"})
    wanted = local_template()
    wanted["tags"] = {"team": "images"}
    patched = template_body(tags={"team": "images", "azimagebuilder.vhdCopied.vhd": "https://x"})
    client, transport, script = make(
        [
            ("GET", TEMPLATE_PATH, Reply(200, existing)),
            ("PATCH", TEMPLATE_PATH, Reply(200, patched)),
            *RUN,
        ]
    )
    events: list[BuildProgress] = []
    client.build(RG, NAME, wanted, progress=events.append)
    assert script.done
    methods = [r.method for r in transport.requests]
    assert "PUT" not in methods
    assert "DELETE" not in methods
    # the copy-out marker stays: it records that the VHD was copied out
    assert json_of(transport.requests[1]) == {
        "tags": {"team": "images", "azimagebuilder.vhdCopied.vhd": "https://x"}
    }
    assert events[0].phase == "updating"


def test_a_tags_and_properties_difference_is_still_refused() -> None:
    existing = template_body(tags={"team": "old"})
    existing["properties"]["customize"][0]["inline"] = ["echo something else"]
    wanted = local_template()
    wanted["tags"] = {"team": "images"}
    client, transport, _ = make([("GET", TEMPLATE_PATH, Reply(200, existing))])
    with pytest.raises(TemplateExistsError) as info:
        client.build(RG, NAME, wanted)
    assert "tags.team" in info.value.differences
    assert [r.method for r in transport.requests] == ["GET"]


def test_an_error_before_the_run_ends_the_display_with_stopped() -> None:
    existing = template_body()
    existing["properties"]["customize"][0]["inline"] = ["echo something else"]
    client, _, _ = make([("GET", TEMPLATE_PATH, Reply(200, existing))])
    events: list[BuildProgress] = []
    with pytest.raises(TemplateExistsError):
        client.build(RG, NAME, local_template(), progress=events.append)
    assert events[-1].phase == "stopped"
    assert events[-1].message == "TemplateExistsError"


@pytest.mark.parametrize(
    ("event", "line"),
    [
        (BuildProgress(NAME, "creating", None, None, "", timedelta(seconds=3)), "creating"),
        (BuildProgress(NAME, "running", "Running", "Distributing", "", timedelta()), "Distributing"),
        (BuildProgress(NAME, "running", "Succeeded", "Distributing", "", timedelta()), "Succeeded"),
        (BuildProgress(NAME, "done", "Succeeded", "Distributing", "", timedelta()), "Succeeded"),
        (
            BuildProgress(NAME, "done", "PartiallySucceeded", None, "1 of 2 failed", timedelta()),
            "PartiallySucceeded",
        ),
        (BuildProgress(NAME, "done", "Failed", "Customizing", "", timedelta(), code="E1"), "Failed: E1"),
        (BuildProgress(NAME, "done", "Canceled", "Customizing", "", timedelta()), "Canceled"),
        (
            BuildProgress(NAME, "timed-out", "Running", "Building", "", timedelta()),
            "timed out (the build goes on in the service)",
        ),
        (BuildProgress(NAME, "stopped", None, None, "KeyboardInterrupt", timedelta()), "stopped"),
    ],
)
def test_each_state_reads_naturally(event: BuildProgress, line: str) -> None:
    assert event.state() == line
    assert event.describe().startswith(f"{NAME}: {line} (")


def test_the_display_does_not_repeat_the_final_state() -> None:
    import io

    out = io.StringIO()
    display = ProgressDisplay(stream=out)
    display(BuildProgress(NAME, "running", "Running", "Distributing", "", timedelta(seconds=1)))
    display(BuildProgress(NAME, "running", "Succeeded", "Distributing", "", timedelta(seconds=2)))
    display(BuildProgress(NAME, "done", "Succeeded", "Distributing", "", timedelta(seconds=3)))
    assert out.getvalue().splitlines() == [f"{NAME}: Distributing (0m 01s)", f"{NAME}: Succeeded (0m 02s)"]
