"""Continuation tokens: a script that died can resume waiting for a run it started, in a new process."""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).parent

PRELUDE = f"""
import sys
sys.path.insert(0, {str(HERE)!r})
from client_support import *
from azimagebuilder import ImageBuilderClient
"""

# Process 1 starts a run and dies while the build is still going on (the service answers InProgress).
START = PRELUDE + textwrap.dedent("""
    def service(request):
        if request.method == "POST":
            return accepted()
        return op("InProgress")

    class Sleepy(MockTransport):
        def sleep(self, duration):
            import time
            time.sleep(duration)

    client = ImageBuilderClient(FakeCredential(), SUB, transport=Sleepy(service), polling_interval=0.05)
    poller = client.begin_run(RG, NAME)
    print(poller.continuation_token())
    sys.stdout.flush()
""")

# Process 2 is a new client that knows nothing but the token; it polls the operation to its end.
RESUME = PRELUDE + textwrap.dedent("""
    DONE = {"startTime": "2020-09-08T04:29:55Z", "endTime": "2020-09-08T04:41:02Z",
            "runState": "Succeeded", "runSubState": "Distributing", "message": ""}
    script = Script([
        ("GET", OP_PATH, op("InProgress")),
        ("GET", OP_PATH, op("Succeeded")),
        ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
    ])
    transport = MockTransport(script)
    client = ImageBuilderClient(FakeCredential(), SUB, transport=transport, polling_interval=0)
    token = sys.stdin.read().strip()
    status = client.begin_run(RG, NAME, continuation_token=token).result()
    assert script.done
    assert all(r.headers.get("Authorization") == "Bearer fake-secret-token" for r in transport.requests)
    print(status.run_state, status.run_sub_state)
""")


def run_python(code: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_process_resumes_waiting_for_a_run_with_the_token() -> None:
    token = run_python(START).strip()
    assert token
    decoded = base64.b64decode(token + "=" * (-len(token) % 4)).decode("utf-8", "replace")
    assert "fake-secret-token" not in decoded  # the token holds no credential
    assert run_python(RESUME, stdin=token).split() == ["Succeeded", "Distributing"]


RESUME_ASYNC = PRELUDE + textwrap.dedent("""
    import asyncio
    from azimagebuilder.aio import ImageBuilderClient as AsyncClient
    DONE = {"startTime": "2020-09-08T04:29:55Z", "endTime": "2020-09-08T04:41:02Z",
            "runState": "PartiallySucceeded", "runSubState": "Distributing", "message": "1 of 2 failed"}
    script = Script([
        ("GET", OP_PATH, op("Succeeded")),
        ("GET", TEMPLATE_PATH, Reply(200, template_body(last_run=DONE))),
    ])

    async def main():
        async with AsyncClient(AsyncFakeCredential(), SUB, transport=AsyncMockTransport(script),
                               polling_interval=0) as client:
            poller = await client.begin_run(RG, NAME, continuation_token=sys.stdin.read().strip())
            status = await poller.result()
        assert script.done
        print(status.run_state)

    asyncio.run(main())
""")


def test_the_async_client_resumes_a_token_from_the_sync_client_in_a_new_process() -> None:
    token = run_python(START).strip()
    assert run_python(RESUME_ASYNC, stdin=token).split() == ["PartiallySucceeded"]
