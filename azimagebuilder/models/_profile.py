"""The build VM: size, OS disk size and an optional existing virtual network."""

from __future__ import annotations

from ._base import ArmExpression, WireModel


class VnetConfig(WireModel):
    """Put the build VM on an existing subnet instead of a new VNET with a public IP.

    The template document (2019-05-01-preview) names the subnet by ``name``, ``subnet_name`` and
    ``resource_group_name``; api-version 2020-02-14 and later use ``subnet_id`` instead.

    Example:
        >>> VnetConfig(name="vnet", subnet_name="default", resource_group_name="rg").to_wire()
        {'name': 'vnet', 'subnetName': 'default', 'resourceGroupName': 'rg'}
    """

    name: str | None = None
    subnet_name: str | None = None
    resource_group_name: str | None = None
    subnet_id: str | None = None


class VmProfile(WireModel):
    """The build VM (default ``Standard_D1_v2``); ``os_disk_size_gb=0`` keeps the source's disk size.

    Example:
        >>> VmProfile(vm_size="Standard_D2_v2", os_disk_size_gb=127).to_wire()
        {'vmSize': 'Standard_D2_v2', 'osDiskSizeGB': 127}
    """

    vm_size: str | None = None
    os_disk_size_gb: int | ArmExpression | None = None
    vnet_config: VnetConfig | None = None
