"""What a template shows in a notebook: a short HTML summary of source, steps and outputs.

Kept apart from the model so the field declarations stay declarations; standard library only.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._base import WireModel
    from ._template import ImageTemplate

# What identifies each kind of value in one line, in the order shown (snake_case field names).
_KEY_FIELDS = (
    "publisher",
    "offer",
    "sku",
    "version",
    "image_id",
    "image_version_id",
    "gallery_image_id",
    "script_uri",
    "source_uri",
    "destination",
    "restart_timeout",
    "search_criteria",
)


def _describe(value: WireModel) -> str:
    parts: list[str] = []
    for name in _KEY_FIELDS:
        field_value = getattr(value, name, None)
        if field_value is not None:
            parts.append(f"{name}={field_value}")
    inline = getattr(value, "inline", None)
    if isinstance(inline, tuple):
        parts.append(f"inline: {len(inline)} command{'' if len(inline) == 1 else 's'}")
    elif isinstance(inline, str):
        parts.append(f"inline={inline}")
    regions = getattr(value, "replication_regions", None)
    if regions:
        parts.append("regions=" + (", ".join(regions) if isinstance(regions, tuple) else str(regions)))
    return ", ".join(parts)


def _cell(text: str) -> str:
    return f'<td style="text-align:left">{escape(text)}</td>'


def _row(label: str, kind: str, name: str, details: str) -> str:
    return (
        f'<tr><th style="text-align:left">{escape(label)}</th>{_cell(kind)}{_cell(name)}{_cell(details)}</tr>'
    )


def template_html(template: ImageTemplate) -> str:
    """The ``_repr_html_`` of an ImageTemplate: one table, a row per source, step and output."""
    title = "ImageTemplate"
    if template.name:
        title += f" {template.name}"
    title += f" in {template.location}"
    rows: list[str] = [_row("source", template.source.type, "", _describe(template.source))]
    for index, step in enumerate(template.customize, start=1):
        step_name: Any = getattr(step, "name", None)
        rows.append(_row(f"step {index}", step.type, step_name or "", _describe(step)))
    if not template.customize:
        rows.append(_row("steps", "", "", "none"))
    for output in template.distribute:
        output_name: Any = getattr(output, "run_output_name", None)
        rows.append(_row("output", output.type, output_name or "", _describe(output)))
    extras: list[str] = []
    if template.vm_profile is not None and template.vm_profile.vm_size:
        extras.append(f"vm_size={template.vm_profile.vm_size}")
    if template.build_timeout_in_minutes is not None:
        extras.append(f"build_timeout_in_minutes={template.build_timeout_in_minutes}")
    if template.identity is not None:
        extras.append(f"identity={', '.join(template.identity.resource_ids)}")
    if template.provisioning_state is not None:
        extras.append(f"provisioning_state={template.provisioning_state}")
    if extras:
        rows.append(_row("build", "", "", "; ".join(extras)))
    head = "<thead><tr><th></th><th>type</th><th>name</th><th>details</th></tr></thead>"
    caption = f'<caption style="text-align:left"><b>{escape(title)}</b></caption>'
    return f'<table class="azimagebuilder-template">{caption}{head}<tbody>{"".join(rows)}</tbody></table>'
