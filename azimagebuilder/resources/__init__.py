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
from typing import TYPE_CHECKING, Any

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
    "write_folder_archive": "azimagebuilder.resources.scripts",
    # storage: build logs (azimagebuilder/resources/logs.py)
    "LogLocation": "azimagebuilder.resources.logs",
    "LogNotFoundError": "azimagebuilder.resources.logs",
    "download_customization_log": "azimagebuilder.resources.logs",
    "find_log_location": "azimagebuilder.resources.logs",
    "find_staging_blob_endpoint": "azimagebuilder.resources.logs",
    "find_staging_resource_group": "azimagebuilder.resources.logs",
    "find_staging_storage_account": "azimagebuilder.resources.logs",
    "follow_customization_log": "azimagebuilder.resources.logs",
    "latest_run_id": "azimagebuilder.resources.logs",
    "log_location_hint": "azimagebuilder.resources.logs",
    "run_in_progress": "azimagebuilder.resources.logs",
    "staging_resource_group_of": "azimagebuilder.resources.logs",
    # storage: VHD copy-out (azimagebuilder/resources/vhd.py)
    "CopyResult": "azimagebuilder.resources.vhd",
    "VhdCopyError": "azimagebuilder.resources.vhd",
    "copy_vhd": "azimagebuilder.resources.vhd",
    "copy_vhd_run_output": "azimagebuilder.resources.vhd",
    "verify_copy": "azimagebuilder.resources.vhd",
    "vhd_copied_tag": "azimagebuilder.resources.vhd",
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
    # preflight (azimagebuilder/resources/_preflight.py; private, so the function owns the public name)
    "PREFLIGHT_CODES": "azimagebuilder.resources._preflight",
    "preflight": "azimagebuilder.resources._preflight",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only; each block by its owner
    # preflight (first: the private module sorts before the others)
    from ._preflight import PREFLIGHT_CODES as PREFLIGHT_CODES
    from ._preflight import preflight as preflight

    # storage (scripts, logs, vhd); "X as X" marks an explicit re-export
    from .logs import LogLocation as LogLocation
    from .logs import LogNotFoundError as LogNotFoundError
    from .logs import download_customization_log as download_customization_log
    from .logs import find_log_location as find_log_location
    from .logs import find_staging_blob_endpoint as find_staging_blob_endpoint
    from .logs import find_staging_resource_group as find_staging_resource_group
    from .logs import find_staging_storage_account as find_staging_storage_account
    from .logs import follow_customization_log as follow_customization_log
    from .logs import latest_run_id as latest_run_id
    from .logs import log_location_hint as log_location_hint
    from .logs import run_in_progress as run_in_progress
    from .logs import staging_resource_group_of as staging_resource_group_of
    from .scripts import ScriptUploadError as ScriptUploadError
    from .scripts import sha256_of_file as sha256_of_file
    from .scripts import sha256_of_url as sha256_of_url
    from .scripts import upload_file as upload_file
    from .scripts import upload_folder as upload_folder
    from .scripts import upload_powershell_script as upload_powershell_script
    from .scripts import upload_shell_script as upload_shell_script
    from .scripts import write_folder_archive as write_folder_archive
    from .vhd import CopyResult as CopyResult
    from .vhd import VhdCopyError as VhdCopyError
    from .vhd import copy_vhd as copy_vhd
    from .vhd import copy_vhd_run_output as copy_vhd_run_output
    from .vhd import verify_copy as verify_copy
    from .vhd import vhd_copied_tag as vhd_copied_tag


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'azimagebuilder.resources' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
