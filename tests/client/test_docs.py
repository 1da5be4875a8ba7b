"""docs/client.md: the walkthrough's Python cells of sections 3 to 5 and the emulator section run as shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azimagebuilder.emulator", reason="the emulator is not in this checkout yet")

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def cells(heading_prefix: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    (section,) = [s for s in sections if s.startswith(heading_prefix)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_sections_3_to_5_run_against_the_emulator(start_emulator: Callable[..., Any], capsys: Any) -> None:
    from azimagebuilder import ImageBuilderClient

    emu = start_emulator(build_duration=0.5)
    with ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
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


def test_the_emulator_section_runs(capsys: Any) -> None:
    import azimagebuilder as aib

    template = aib.ImageTemplate(
        location="westus2",
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[aib.ShellCustomizer(name="hello", inline=["echo hello"])],
        distribute=[aib.VhdDistributor(run_output_name="vhd")],
    )
    (cell,) = cells("Try it without Azure")
    cell = cell.replace("build_duration=5", "build_duration=0.5").replace(
        "polling_interval=0.5", "polling_interval=0.05"
    )
    exec(compile(cell, "docs/client.md emulator section", "exec"), {"template": template})
    assert "'vhd': 'https://" in capsys.readouterr().out


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
