"""Importing a client class loads no Azure SDK package: azure-core and azure-mgmt-core load when a client
is created (and the pieces a method needs when it is first called), and the client works the same.

Each case runs in a fresh interpreter, so nothing an earlier test imported hides what the import loads.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from client_support import NAME
from run_once import once_per_run

HERE = Path(__file__).parent

# Imports a client class, records what is loaded, then creates a client and calls get(), list() and a
# long-running operation against the scripted transport of client_support (which imports azure-core).
_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
ROOTS = ("azure", "aiohttp", "pydantic")

def loaded():
    return sorted({m for m in sys.modules if m.split(".")[0] in ROOTS})

from azimagebuilder import ImageBuilderClient
from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient
after_import = loaded()

from azure.core.exceptions import ResourceNotFoundError
from client_support import (
    NAME, RG, SUB, TEMPLATE_PATH, FakeCredential, MockTransport, Reply, Script, template_body,
)

script = Script([
    ("GET", TEMPLATE_PATH, Reply(200, template_body())),
    ("GET", TEMPLATE_PATH, Reply(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})),
    ("DELETE", TEMPLATE_PATH, Reply(200, {})),
])
client = ImageBuilderClient(FakeCredential(), SUB, transport=MockTransport(script), polling_interval=0)
template = client.get(RG, NAME)
try:
    client.get(RG, NAME)
    missing = "no error"
except ResourceNotFoundError as exc:
    missing = type(exc).__name__
deleted = client.begin_delete(RG, NAME, force=True).result()
print(json.dumps({
    "after_import": after_import,
    "name": template.name,
    "missing": missing,
    "deleted": deleted,
    "script_done": script.done,
    "async_is_class": isinstance(AsyncImageBuilderClient, type),
}))
"""


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The probe process's findings: run once per test run."""

    def run(_: Path) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(HERE)], capture_output=True, text=True, timeout=120, check=True
        )
        result: dict[str, object] = json.loads(done.stdout)
        return result

    found: dict[str, object] = once_per_run(tmp_path_factory, "client-import-laziness", run)
    return found


def test_importing_the_client_classes_loads_no_azure_sdk_and_no_pydantic(probe: dict[str, object]) -> None:
    assert probe["after_import"] == []


def test_a_client_created_after_the_lazy_import_gets_raises_and_polls(probe: dict[str, object]) -> None:
    assert probe["name"] == NAME
    assert probe["missing"] == "ResourceNotFoundError"
    assert probe["deleted"] is None
    assert probe["script_done"] is True
    assert probe["async_is_class"] is True


def test_the_traced_methods_keep_their_signatures_and_docstrings() -> None:
    from azimagebuilder import ImageBuilderClient
    from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient

    params = list(inspect.signature(ImageBuilderClient.get).parameters)
    assert params == ["self", "resource_group_name", "image_template_name", "kwargs"]
    assert (ImageBuilderClient.get.__doc__ or "").startswith("Read a template")
    assert inspect.iscoroutinefunction(AsyncImageBuilderClient.get)
    assert not inspect.iscoroutinefunction(AsyncImageBuilderClient.list)
    init = inspect.signature(ImageBuilderClient.__init__).parameters
    assert {"credential", "subscription_id", "base_url", "api_version", "transport"} <= set(init)
