"""The one provider shape: a Provider class whose route table says which api-versions serve each route."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests

from azimagebuilder.emulator import Emulator
from azimagebuilder.emulator.providers import DEFAULT_PROVIDERS, Provider, RouteSpec

SUB = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def example_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "example_things.py").write_text(
        textwrap.dedent("""
            from azimagebuilder.emulator import Response
            from azimagebuilder.emulator.providers import Provider, RouteSpec

            GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
            THING = GROUP + "/providers/Microsoft.Example/things/{name}"

            class Things(Provider):
                namespace = "Microsoft.Example"
                ROUTES = (
                    RouteSpec("GET", THING, "things.get", "get"),
                    RouteSpec("DELETE", THING, "things.delete", "delete", since="2024-01-01"),
                )

                def api_versions(self):
                    return frozenset({"2023-01-01", "2024-01-01"})

                def get(self, request, params):
                    return Response.json(200, {"name": params["name"]})

                def delete(self, request, params):
                    return Response.empty(204)

            register = Things.registrar()
        """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "example_things"
    sys.modules.pop("example_things", None)


def _call(emu: Any, method: str, version: str) -> int:
    token = emu.credential.get_token("https://management.azure.com/.default").token
    url = f"{emu.base_url}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Example/things/a"
    answer = requests.request(
        method,
        url,
        params={"api-version": version},
        headers={"Authorization": f"Bearer {token}"},
        verify=emu.ca_cert,
    )
    return answer.status_code


def test_the_route_table_says_which_api_versions_serve_a_route(example_module: str) -> None:
    with Emulator(providers=[example_module]) as emu:
        assert _call(emu, "GET", "2023-01-01") == 200
        assert _call(emu, "DELETE", "2023-01-01") == 400  # served from 2024-01-01 only
        assert _call(emu, "DELETE", "2024-01-01") == 204
        assert _call(emu, "GET", "2025-01-01") == 400  # not a version the provider serves


def test_every_built_in_provider_has_the_one_shape() -> None:
    import importlib

    for name in DEFAULT_PROVIDERS:
        module = importlib.import_module(name)
        providers = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Provider) and value is not Provider
        ]
        assert len(providers) == 1, name
        (cls,) = providers
        assert cls.ROUTES, name
        assert all(isinstance(spec, RouteSpec) for spec in cls.ROUTES)
        assert all(callable(getattr(cls, spec.handler, None)) for spec in cls.ROUTES), name


def test_the_image_builder_table_knows_the_versions_of_cancel_and_triggers() -> None:
    from azimagebuilder.emulator.providers.imagebuilder import ImageBuilderProvider

    since = {spec.name: spec.since for spec in ImageBuilderProvider.ROUTES}
    assert since["imageTemplates.cancel"] == "2020-02-14"
    assert {since[n] for n in since if n.startswith("triggers.")} == {"2022-07-01"}
    assert since["imageTemplates.put"] is None
