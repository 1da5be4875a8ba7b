"""The build VM: size, OS disk size, identities, an optional existing virtual network, data disks."""

from __future__ import annotations

from ._base import ArmExpression, Seq, WireModel


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
    #: Size of the proxy VM that passes traffic to the build VM (2021-10-01 and later).
    proxy_vm_size: str | None = None
    #: A subnet for the Azure Container Instance of an isolated build (2024-02-01 and later).
    container_instance_subnet_id: str | None = None


class VmProfile(WireModel):
    """The build VM (default ``Standard_D1_v2``); ``os_disk_size_gb=0`` keeps the source's disk size.

    Example:
        >>> VmProfile(vm_size="Standard_D2_v2", os_disk_size_gb=127).to_wire()
        {'vmSize': 'Standard_D2_v2', 'osDiskSizeGB': 127}
    """

    vm_size: str | None = None
    os_disk_size_gb: int | ArmExpression | None = None
    #: User-assigned identities for the build VM itself (resource ids; 2021-10-01 and later).
    user_assigned_identities: Seq[str] | ArmExpression | None = None
    vnet_config: VnetConfig | None = None


class DataDisk(WireModel):
    """An extra empty data disk of the build VM (``properties.additionalDataDisks``, 2025-10-01 and later).

    Example:
        >>> DataDisk(size_gb=64).to_wire()
        {'sizeGB': 64}
    """

    size_gb: int | ArmExpression | None = None
