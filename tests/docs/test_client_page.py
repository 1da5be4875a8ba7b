"""docs/client.md: sections 3 to 5 and the emulator section, beyond what test_code_blocks.py checks.

test_code_blocks.py runs every block of the page as written; here the walkthrough's results are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def cells(heading_prefix: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    (section,) = [s for s in sections if s.startswith(heading_prefix)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_sections_3_to_5_run_against_the_emulator(emulator_factory: Callable[..., Any], capsys: Any) -> None:
    from azimagebuilder import CURRENT_STABLE_API_VERSION, ImageBuilderClient

    emu = emulator_factory(build_duration=0.5)
    with ImageBuilderClient(  # section 1's client, against the emulator
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version=CURRENT_STABLE_API_VERSION,
        polling_interval=0.05,
    ) as client:
        namespace: dict[str, Any] = {"client": client}
        for heading in ("3.", "4.", "5."):
            for cell in cells(heading):
                exec(compile(cell, f"docs/client.md section {heading}", "exec"), namespace)
        assert namespace["created"].provisioning_state == "Succeeded"
        assert namespace["result"].succeeded
        assert namespace["events"]
        assert namespace["status"].run_state == "Succeeded"
    assert "hello: Succeeded (" in capsys.readouterr().out


def test_section_7_runs_against_the_emulator_at_2025_10_01(
    emulator_factory: Callable[..., Any], capsys: Any
) -> None:
    import azimagebuilder as aib
    from azimagebuilder import ImageBuilderClient

    emu = emulator_factory(build_duration=60, create_duration=0.2, delete_duration=0.2)
    sub = emu.subscription_id
    identity = aib.UserAssignedIdentity.from_id(
        f"/subscriptions/{sub}/resourceGroups/my-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    )
    common: dict[str, Any] = {
        "location": "westus2",
        "identity": identity,
        "distribute": [aib.VhdDistributor(run_output_name="vhd")],
    }
    hello = aib.ImageTemplate(
        source=aib.PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS"), **common
    )
    gallery = aib.SharedImageVersionSource(
        image_version_id=f"/subscriptions/{sub}/resourceGroups/my-rg/providers/Microsoft.Compute"
        "/galleries/g/images/ubuntu/versions/latest"
    )
    with ImageBuilderClient(
        emu.credential,
        sub,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0.05,
        api_version="2025-10-01",
    ) as client:
        client.begin_create_or_update("my-rg", "hello", hello).result()
        client.begin_create_or_update(
            "my-rg", "from-gallery", aib.ImageTemplate(source=gallery, **common)
        ).result()
        namespace: dict[str, Any] = {"client": client, "aib": aib}
        for cell in cells("7."):
            exec(compile(cell, "docs/client.md section 7", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "Canceled",
        "Canceled",
        "SourceImage Healthy",
        "['source']",
        "True",
        "Standard_D4s_v3",
    ]
    assert namespace["template"].name == "hello"
