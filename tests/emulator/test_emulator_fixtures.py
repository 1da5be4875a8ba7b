"""The public pytest fixtures of azimagebuilder.testing.emulator (what users put in their conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import requests

from azimagebuilder.emulator import Emulator, ManualClock
from azimagebuilder.testing.emulator import (  # noqa: F401  (registers the fixtures for this module)
    emulator,
    emulator_clock,
    emulator_factory,
    emulator_session,
    emulator_with_clock,
)

LIST = "/subscriptions/{sub}/providers/Microsoft.VirtualMachineImages/imageTemplates"
LIST += "?api-version=2019-05-01-preview"


def _list(emu: Emulator) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.credential.get_token('x').token}"}
    return requests.get(
        emu.base_url + LIST.format(sub=emu.subscription_id), headers=headers, verify=emu.ca_cert
    )


def test_emulator_fixture_serves(emulator: Emulator) -> None:  # noqa: F811
    assert emulator.settings.build_duration == 0
    assert _list(emulator).json() == {"value": []}


def test_factory_passes_arguments_and_stops_afterwards(emulator_factory: Callable[..., Emulator]) -> None:  # noqa: F811
    emu = emulator_factory(page_size=5, subscription_id="11111111-1111-1111-1111-111111111111")
    assert emu.settings.page_size == 5
    assert emu.subscription_id.startswith("1111")
    assert _list(emu).status_code == 200


def test_clock_fixture_drives_the_emulator(
    emulator_with_clock: Emulator,  # noqa: F811
    emulator_clock: ManualClock,  # noqa: F811
) -> None:
    assert emulator_with_clock.clock is emulator_clock
    assert emulator_with_clock.settings.build_duration == 60


def test_session_emulator(emulator_session: Emulator) -> None:  # noqa: F811
    assert emulator_session.running


def test_reset_forgets_templates(emulator_session: Emulator) -> None:  # noqa: F811
    """A session-wide emulator can be emptied between tests with reset()."""
    headers = {"Authorization": "Bearer x"}
    url = (
        emulator_session.base_url
        + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    )
    url += "Microsoft.VirtualMachineImages/imageTemplates/t?api-version=2019-05-01-preview"
    body = {
        "location": "westus",
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "p",
                "offer": "o",
                "sku": "s",
                "version": "1.0.0",
            },
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
        },
    }
    assert requests.put(url, json=body, headers=headers, verify=emulator_session.ca_cert).status_code == 201
    emulator_session.reset()
    assert requests.get(url, headers=headers, verify=emulator_session.ca_cert).status_code == 404
