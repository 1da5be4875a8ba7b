"""The chores around a build, one call each: scripts and logs in storage, VHD copy-out, and more.

Every helper here talks to Azure through the Azure package made for it (azure-storage-blob,
azure-mgmt-resource, ...), imported only inside the functions that use it. Importing this package is
cheap: the names below load on first use.

Example:
    >>> from azimagebuilder.resources import sha256_of_file
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "hello.sh"
    >>> _ = path.write_text("echo hello\\n")
    >>> sha256_of_file(path)[:12]
    '5dbad7dd0b9b'
"""

from __future__ import annotations

import importlib
from typing import Any

# Public name -> the module that defines it. Each engineer edits only the lines of their own modules;
# keep each block sorted by name.
_EXPORTS: dict[str, str] = {
    # storage: scripts (azimagebuilder/resources/scripts.py)
    "ScriptUploadError": "azimagebuilder.resources.scripts",
    "sha256_of_file": "azimagebuilder.resources.scripts",
    "sha256_of_url": "azimagebuilder.resources.scripts",
    "upload_file": "azimagebuilder.resources.scripts",
    "upload_folder": "azimagebuilder.resources.scripts",
    "upload_powershell_script": "azimagebuilder.resources.scripts",
    "upload_shell_script": "azimagebuilder.resources.scripts",
    # storage: build logs (azimagebuilder/resources/logs.py)
    "LogLocation": "azimagebuilder.resources.logs",
    "LogNotFoundError": "azimagebuilder.resources.logs",
    "download_customization_log": "azimagebuilder.resources.logs",
    "find_log_location": "azimagebuilder.resources.logs",
    "find_staging_resource_group": "azimagebuilder.resources.logs",
    "find_staging_storage_account": "azimagebuilder.resources.logs",
    "follow_customization_log": "azimagebuilder.resources.logs",
    "latest_run_id": "azimagebuilder.resources.logs",
    "log_location_hint": "azimagebuilder.resources.logs",
    "run_in_progress": "azimagebuilder.resources.logs",
    # storage: VHD copy-out (azimagebuilder/resources/vhd.py)
    "CopyResult": "azimagebuilder.resources.vhd",
    "VhdCopyError": "azimagebuilder.resources.vhd",
    "copy_vhd": "azimagebuilder.resources.vhd",
    "copy_vhd_run_output": "azimagebuilder.resources.vhd",
    "verify_copy": "azimagebuilder.resources.vhd",
    # identity / compute / providers / preflight: added by their owner below this line
    # identity (azimagebuilder/resources/identity.py)
    "ManagedIdentity": "azimagebuilder.resources.identity",
    "create_identity": "azimagebuilder.resources.identity",
    "create_image_builder_identity": "azimagebuilder.resources.identity",
    "grant_image_builder_roles": "azimagebuilder.resources.identity",
    # source images and targets (azimagebuilder/resources/compute.py)
    "GalleryImage": "azimagebuilder.resources.compute",
    "PlatformImage": "azimagebuilder.resources.compute",
    "check_distribution_targets": "azimagebuilder.resources.compute",
    "check_resource_group": "azimagebuilder.resources.compute",
    "check_source": "azimagebuilder.resources.compute",
    "create_gallery_image": "azimagebuilder.resources.compute",
    "latest_platform_image_version": "azimagebuilder.resources.compute",
    "list_platform_images": "azimagebuilder.resources.compute",
    "resolve_platform_image": "azimagebuilder.resources.compute",
    # resource providers (azimagebuilder/resources/providers.py)
    "IMAGE_BUILDER_PROVIDERS": "azimagebuilder.resources.providers",
    "ProviderRegistrationTimeout": "azimagebuilder.resources.providers",
    "ProviderStatus": "azimagebuilder.resources.providers",
    "check_providers": "azimagebuilder.resources.providers",
    "register_providers": "azimagebuilder.resources.providers",
    # preflight (azimagebuilder/resources/preflight.py)
    "PREFLIGHT_CODES": "azimagebuilder.resources.preflight",
    "preflight": "azimagebuilder.resources.preflight",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'azimagebuilder.resources' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
