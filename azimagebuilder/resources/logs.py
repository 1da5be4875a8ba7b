"""Find, download and follow a build's ``customization.log``.

Image Builder writes the Packer log of each run to the template's staging resource group
``IT_<resourceGroup>_<templateName>_<guid>``: a storage account there, container ``packerlogs``, blob
``<run-id>/customization.log``. After a failure that log is the only place that says which step broke, and
digging it out by hand (portal, hidden group, random account name) is slow. These helpers do it:

- :func:`find_staging_resource_group` and :func:`find_log_location` locate the group, its storage account
  and the newest run's log, through azure-mgmt-resource;
- :func:`download_customization_log` fetches it; :func:`follow_customization_log` yields new lines while a
  run is in progress and stops when it ends;
- :func:`log_location_hint` is the sentence a failed-build error shows, saying where the log is and how to
  fetch it (no I/O, never raises).

Each also works with the blob account given directly (``storage_url`` plus a credential), which is how the
emulator's logs in Azurite are read, and how you read logs with a SAS or an account key.

Example:
    >>> from azimagebuilder.resources import download_customization_log, find_log_location
    >>> where = find_log_location(cred, subscription_id, "my-rg", "my-template")  # doctest: +SKIP
    >>> print(download_customization_log(where, credential=cred)[-300:])  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._constants import ARM_ENDPOINT
from .._errors import ImageBuilderError
from ._storage import has_sas, redact_url, service_client

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient, ContainerClient

__all__ = [
    "LOG_BLOB_SUFFIX",
    "LOG_CONTAINER",
    "LogLocation",
    "LogNotFoundError",
    "download_customization_log",
    "find_log_location",
    "find_staging_blob_endpoint",
    "find_staging_resource_group",
    "find_staging_storage_account",
    "follow_customization_log",
    "latest_run_id",
    "log_location_hint",
    "run_in_progress",
    "staging_resource_group_of",
]

_log = logging.getLogger("azimagebuilder.resources.logs")

#: The container Image Builder writes build logs to.
LOG_CONTAINER = "packerlogs"
#: Each run's log is ``<run-id>`` + this.
LOG_BLOB_SUFFIX = "/customization.log"
_STORAGE_TYPE = "Microsoft.Storage/storageAccounts"
_STORAGE_API_VERSION = "2023-01-01"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Run states after which no more log lines come (open strings, compared case-insensitively).
_IN_PROGRESS_STATES = frozenset({"running", "canceling"})


class LogNotFoundError(ImageBuilderError):
    """The staging resource group, its storage account, or a customization.log could not be found."""


@dataclass(frozen=True)
class LogLocation:
    """Where one run's customization.log is.

    Attributes:
        account_url: the staging storage account's blob endpoint (no SAS).
        run_id: the run's id: the log is ``packerlogs/<run_id>/customization.log``.
        staging_resource_group: ``IT_<rg>_<name>_<guid>`` when known.
        sas: the SAS of the storage URL it was found with, used to read the log; never shown in ``repr``.

    Example:
        >>> LogLocation("https://abc.blob.core.windows.net", "1a2b").url
        'https://abc.blob.core.windows.net/packerlogs/1a2b/customization.log'
    """

    account_url: str
    run_id: str
    staging_resource_group: str | None = None
    sas: str | None = field(default=None, repr=False, compare=False)

    @property
    def blob_name(self) -> str:
        """``<run_id>/customization.log``."""
        return f"{self.run_id}{LOG_BLOB_SUFFIX}"

    @property
    def url(self) -> str:
        """The log blob's URL (no SAS)."""
        return f"{redact_url(self.account_url).rstrip('/')}/{LOG_CONTAINER}/{self.blob_name}"


def log_location_hint(
    resource_group: str,
    template_name: str,
    *,
    staging_resource_group: str | None = None,
    run_id: str | None = None,
    log_url: str | None = None,
) -> str:
    """The sentence a failed build's error shows: where the log is and how to fetch it.

    Pure: no I/O, never raises, and never quotes a SAS (a ``log_url`` is shown without its query string).

    Example:
        >>> print(log_location_hint("rg", "tpl"))  # doctest: +NORMALIZE_WHITESPACE
        Build log: customization.log in the staging resource group IT_rg_tpl_<guid> (its storage account,
        container 'packerlogs', blob '<run-id>/customization.log'). Fetch it with `azimagebuilder logs rg tpl`
        or azimagebuilder.resources.download_customization_log(find_log_location(credential,
        subscription_id, 'rg', 'tpl')).
    """
    try:
        group = staging_resource_group or f"IT_{resource_group}_{template_name}_<guid>"
        blob = f"{run_id or '<run-id>'}{LOG_BLOB_SUFFIX}"
        in_group = f" (staging resource group {staging_resource_group})" if staging_resource_group else ""
        where = (
            f"Build log: {redact_url(log_url)}{in_group}"
            if log_url
            else f"Build log: customization.log in the staging resource group {group} (its storage account, "
            f"container '{LOG_CONTAINER}', blob '{blob}')"
        )
        return (
            f"{where}. Fetch it with `azimagebuilder logs {resource_group} {template_name}` or "
            "azimagebuilder.resources.download_customization_log(find_log_location(credential, "
            f"subscription_id, {resource_group!r}, {template_name!r}))."
        )
    except Exception:  # pragma: no cover - a hint must never hide the error it decorates
        return "Build log: customization.log in the template's staging resource group (container packerlogs)."


def staging_resource_group_of(template: Any) -> str | None:
    """The staging resource group a template reports, or ``None`` (api-versions before 2022-02-14 don't).

    Reads ``properties.exactStagingResourceGroup`` (or a ``stagingResourceGroup`` you set) from an
    ``ImageTemplate`` returned by the client, or from the service's JSON, and returns the group's name.

    Example:
        >>> staging_resource_group_of({"properties": {
        ...     "exactStagingResourceGroup": "/subscriptions/s/resourceGroups/IT_rg_tpl_0f9e"}})
        'IT_rg_tpl_0f9e'
    """
    if isinstance(template, Mapping):
        fields: Mapping[str, Any] = template.get("properties") or template
    else:  # an ImageTemplate: the typed fields
        fields = {
            "exactStagingResourceGroup": getattr(template, "exact_staging_resource_group", None),
            "stagingResourceGroup": getattr(template, "staging_resource_group", None),
        }
    for key in ("exactStagingResourceGroup", "stagingResourceGroup"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip("/"):
            return value.rstrip("/").rsplit("/", 1)[-1]
    return None


def _resource_client(
    credential: Any, subscription_id: str, base_url: str, client_kwargs: dict[str, Any]
) -> Any:
    from azure.mgmt.resource.resources import ResourceManagementClient

    base = base_url.rstrip("/")
    kwargs = {"credential_scopes": [f"{base}/.default"], **client_kwargs}
    return ResourceManagementClient(credential, subscription_id, base_url=base, **kwargs)


def find_staging_resource_group(
    credential: Any,
    subscription_id: str,
    resource_group: str,
    template_name: str,
    *,
    template: Any = None,
    base_url: str = ARM_ENDPOINT,
    **client_kwargs: Any,
) -> str:
    """The name of a template's staging resource group (``IT_<rg>_<name>_<guid>``).

    Given ``template`` (``client.get(rg, name)`` with api-version 2022-02-14 or later), the group it reports
    (``exactStagingResourceGroup``) is returned without any call. Otherwise, lists the subscription's resource
    groups (azure-mgmt-resource) and picks the one Image Builder tagged
    for this template (``createdBy: AzureVMImageBuilder``, ``imageTemplateName``,
    ``imageTemplateResourceGroupName``), else the one named ``IT_<rg>_<name>_<guid>``. Needs
    ``Microsoft.Resources/subscriptions/resourceGroups/read`` (Reader on the subscription).

    ``client_kwargs`` go to azure-core's pipeline (for example ``connection_verify=`` for the emulator).

    Raises:
        LogNotFoundError: no such group (the template was never created here, or it was given a custom
            ``stagingResourceGroup``: pass that name instead).

    Example:
        >>> find_staging_resource_group(cred, sub, "my-rg", "my-template")  # doctest: +SKIP
        'IT_my-rg_my-template_5d5e1f8e-2a5c-4d5f-9c1e-1c9b8f0e7a11'
    """
    reported = staging_resource_group_of(template) if template is not None else None
    if reported:
        return reported
    client = _resource_client(credential, subscription_id, base_url, client_kwargs)
    pattern = re.compile(rf"^IT_{re.escape(resource_group)}_{re.escape(template_name)}_{_GUID}$", re.I)
    by_tag: list[str] = []
    by_name: list[str] = []
    with client:
        for group in client.resource_groups.list():
            tags = {str(k).lower(): str(v) for k, v in (group.tags or {}).items()}
            if (
                tags.get("imagetemplatename", "").lower() == template_name.lower()
                and tags.get("imagetemplateresourcegroupname", "").lower() == resource_group.lower()
            ):
                by_tag.append(group.name)
            elif pattern.match(group.name or ""):
                by_name.append(group.name)
    found = sorted(by_tag) or sorted(by_name)
    if not found:
        raise LogNotFoundError(
            f"no staging resource group IT_{resource_group}_{template_name}_<guid> in subscription "
            f"{subscription_id}: the template does not exist there, or it uses a custom stagingResourceGroup "
            "(pass staging_resource_group=...)"
        )
    if len(found) > 1:
        _log.warning(
            "several staging groups match %s/%s: %s; using %s", resource_group, template_name, found, found[0]
        )
    return found[0]


def find_staging_storage_account(
    credential: Any,
    subscription_id: str,
    staging_resource_group: str,
    *,
    base_url: str = ARM_ENDPOINT,
    **client_kwargs: Any,
) -> str:
    """The name of the storage account in a staging resource group (where ``packerlogs`` lives).

    Needs ``Microsoft.Resources/subscriptions/resourceGroups/resources/read`` on the group.

    Example:
        >>> find_staging_storage_account(cred, sub, "IT_my-rg_my-template_5d5e...")  # doctest: +SKIP
        'a1b2c3d4e5f6a7b8c9d0e1f2'
    """
    return _staging_storage_account(
        credential, subscription_id, staging_resource_group, base_url, client_kwargs
    )[0]


def _staging_storage_account(
    credential: Any,
    subscription_id: str,
    staging_resource_group: str,
    base_url: str,
    client_kwargs: dict[str, Any],
) -> tuple[str, str]:
    """(name, resource id) of the staging group's storage account."""
    client = _resource_client(credential, subscription_id, base_url, client_kwargs)
    with client:
        accounts = sorted(
            (str(resource.name), str(resource.id))
            for resource in client.resources.list_by_resource_group(
                staging_resource_group, filter=f"resourceType eq '{_STORAGE_TYPE}'"
            )
            if str(resource.type or "").lower() == _STORAGE_TYPE.lower()
        )
    if not accounts:
        raise LogNotFoundError(
            f"the staging resource group {staging_resource_group} holds no storage account"
        )
    return accounts[0]


def find_staging_blob_endpoint(
    credential: Any,
    subscription_id: str,
    staging_resource_group: str,
    *,
    storage_suffix: str = "core.windows.net",
    base_url: str = ARM_ENDPOINT,
    **client_kwargs: Any,
) -> str:
    """The blob endpoint of the staging group's storage account, without a trailing slash.

    Reads the account's ``properties.primaryEndpoints.blob`` (a generic ARM read, so no azure-mgmt-storage is
    needed); when that read is refused or lacks it, falls back to ``https://<account>.blob.<storage_suffix>``.
    Needs ``.../resourceGroups/resources/read`` on the group, and ``Microsoft.Storage/storageAccounts/read``
    for the exact endpoint.

    Example:
        >>> find_staging_blob_endpoint(cred, sub, "IT_my-rg_my-template_5d5e...")  # doctest: +SKIP
        'https://a1b2c3d4e5f6a7b8c9d0e1f2.blob.core.windows.net'
    """
    from azure.core.exceptions import HttpResponseError

    name, resource_id = _staging_storage_account(
        credential, subscription_id, staging_resource_group, base_url, client_kwargs
    )
    fallback = f"https://{name}.blob.{storage_suffix}"
    client = _resource_client(credential, subscription_id, base_url, client_kwargs)
    try:
        with client:
            account = client.resources.get_by_id(resource_id, api_version=_STORAGE_API_VERSION)
    except HttpResponseError as exc:
        _log.debug("reading %s failed (%s); using %s", resource_id, exc.status_code, fallback)
        return fallback
    properties = account.properties if isinstance(account.properties, Mapping) else {}
    endpoints = properties.get("primaryEndpoints")
    blob = endpoints.get("blob") if isinstance(endpoints, Mapping) else None
    return str(blob).rstrip("/") if isinstance(blob, str) and blob else fallback


def _log_container(
    account: str | BlobServiceClient | LogLocation, credential: Any, client_kwargs: dict[str, Any]
) -> ContainerClient:
    if isinstance(account, LogLocation):
        if account.sas:
            url = f"{account.account_url}?{account.sas}"
            return service_client(url, **client_kwargs).get_container_client(LOG_CONTAINER)
        service = service_client(account.account_url, credential, **client_kwargs)
        return service.get_container_client(LOG_CONTAINER)
    return service_client(account, credential, **client_kwargs).get_container_client(LOG_CONTAINER)


def latest_run_id(account: str | BlobServiceClient, *, credential: Any = None, **client_kwargs: Any) -> str:
    """The run id of the newest ``customization.log`` in the account's ``packerlogs`` container.

    ``client_kwargs`` go to azure-core's pipeline of a client made from a URL (``connection_verify=``).

    Raises:
        LogNotFoundError: no build log there yet.

    Example:
        >>> latest_run_id("https://a1b2c3.blob.core.windows.net", credential=cred)  # doctest: +SKIP
        '6c3c8b0e-...'
    """
    found = _latest(_log_container(account, credential, client_kwargs))
    if found is None:
        shown = redact_url(account if isinstance(account, str) else str(account.url))
        raise LogNotFoundError(f"no {LOG_CONTAINER}/<run-id>{LOG_BLOB_SUFFIX} in {shown} yet")
    return found


def _runs(container: ContainerClient) -> dict[str, Any]:
    """Run id -> last-modified time of every customization.log in the container (empty if none)."""
    from azure.core.exceptions import ResourceNotFoundError

    runs: dict[str, Any] = {}
    try:
        for blob in container.list_blobs():
            name = str(blob.name)
            if name.endswith(LOG_BLOB_SUFFIX) and name.count("/") == 1:
                runs[name[: -len(LOG_BLOB_SUFFIX)]] = blob.last_modified
    except ResourceNotFoundError:
        pass  # no packerlogs container yet
    return runs


def _newest(runs: dict[str, Any]) -> str | None:
    # Last-Modified has a resolution of one second; ties go to the greater name.
    return max(runs, key=lambda run: (runs[run], run)) if runs else None


def _latest(container: ContainerClient) -> str | None:
    return _newest(_runs(container))


def find_log_location(
    credential: Any,
    subscription_id: str,
    resource_group: str,
    template_name: str,
    *,
    run_id: str | None = None,
    staging_resource_group: str | None = None,
    template: Any = None,
    storage_url: str | None = None,
    storage_credential: Any = None,
    storage_suffix: str = "core.windows.net",
    base_url: str = ARM_ENDPOINT,
    **client_kwargs: Any,
) -> LogLocation:
    """Where a template's build log is: staging group, storage account, and the run (newest if not given).

    Args:
        credential: an azure-identity credential for ARM (and for the blobs unless ``storage_credential``).
        run_id: the run to read; default the newest log in the account.
        staging_resource_group: skip the search for it.
        template: the template as ``client.get`` returns it; from api-version 2022-02-14 it names its
            staging group, which skips the search.
        storage_url: the staging account's blob endpoint; skips both ARM look-ups (for the emulator's
            Azurite, or when you know the account).
        storage_credential: for the blobs: an account-key dict, a SAS credential, or a TokenCredential
            (needs 'Storage Blob Data Reader' on the staging account). Default: ``credential``.
        storage_suffix: the cloud's storage endpoint suffix (``core.chinacloudapi.cn``, ...).

    Example:
        >>> find_log_location(cred, sub, "my-rg", "my-template")  # doctest: +SKIP
        LogLocation(account_url='https://a1b2c3....blob.core.windows.net', run_id='6c3c...', ...)
    """
    group = staging_resource_group
    if storage_url is None:
        if group is None:
            group = find_staging_resource_group(
                credential,
                subscription_id,
                resource_group,
                template_name,
                template=template,
                base_url=base_url,
                **client_kwargs,
            )
        storage_url = find_staging_blob_endpoint(
            credential,
            subscription_id,
            group,
            storage_suffix=storage_suffix,
            base_url=base_url,
            **client_kwargs,
        )
    blob_credential = storage_credential if storage_credential is not None else credential
    if run_id is None:
        run_id = latest_run_id(
            storage_url, credential=None if has_sas(storage_url) else blob_credential, **client_kwargs
        )
    return LogLocation(
        account_url=redact_url(storage_url),
        run_id=run_id,
        staging_resource_group=group,
        sas=urlsplit(storage_url).query if has_sas(storage_url) else None,
    )


def _resolve(
    location: LogLocation | str, credential: Any, run_id: str | None, client_kwargs: dict[str, Any]
) -> tuple[ContainerClient, str | None, str]:
    if isinstance(location, LogLocation):
        container = _log_container(location, credential, client_kwargs)
        return container, run_id or location.run_id, location.account_url
    if not isinstance(location, str):
        raise TypeError("location must be a LogLocation or the staging account's blob URL")
    container = _log_container(location, None if has_sas(location) else credential, client_kwargs)
    return container, run_id, redact_url(location)


def download_customization_log(
    location: LogLocation | str,
    *,
    credential: Any = None,
    run_id: str | None = None,
    encoding: str = "utf-8",
    **client_kwargs: Any,
) -> str:
    """The text of a run's customization.log.

    ``client_kwargs`` go to azure-core's pipeline (``connection_verify=emu.ca_cert`` for the emulator).

    Args:
        location: a :class:`LogLocation`, or the staging account's blob URL (with a SAS, or with
            ``credential``).
        credential: reads the blob ('Storage Blob Data Reader', an account key, or a SAS credential).
        run_id: overrides the location's run; with an account URL, default the newest run.

    Raises:
        LogNotFoundError: no such log.

    Example:
        >>> text = download_customization_log("http://127.0.0.1:10000/ibstaging",
        ...                                   credential=key)  # doctest: +SKIP
    """
    from azure.core.exceptions import ResourceNotFoundError

    container, run, shown = _resolve(location, credential, run_id, client_kwargs)
    run = run or _latest(container)
    if run is None:
        raise LogNotFoundError(f"no {LOG_CONTAINER}/<run-id>{LOG_BLOB_SUFFIX} in {shown} yet")
    try:
        data = container.get_blob_client(f"{run}{LOG_BLOB_SUFFIX}").download_blob().readall()
    except ResourceNotFoundError:
        raise LogNotFoundError(f"no {LOG_CONTAINER}/{run}{LOG_BLOB_SUFFIX} in {shown}") from None
    return bytes(data).decode(encoding, errors="replace")


def run_in_progress(client: Any, resource_group: str, template_name: str) -> bool:
    """Whether the template's last run is still going (``runState`` Running or Canceling).

    ``client`` is an ``ImageBuilderClient``. Use it as ``follow_customization_log``'s ``is_running``:
    ``is_running=lambda: run_in_progress(client, rg, name)``.

    Example:
        >>> run_in_progress(client, "my-rg", "my-template")  # doctest: +SKIP
        True
    """
    status = client.get(resource_group, template_name).last_run_status
    return status is not None and str(status.run_state or "").lower() in _IN_PROGRESS_STATES


def follow_customization_log(
    location: LogLocation | str,
    *,
    is_running: Callable[[], bool],
    credential: Any = None,
    run_id: str | None = None,
    poll_interval: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    encoding: str = "utf-8",
    **client_kwargs: Any,
) -> Iterator[str]:
    """Yield the lines of a run's customization.log as they are written, until the run ends.

    Reads only the new bytes at each poll. Between polls it calls ``sleep(poll_interval)``; it checks
    ``is_running()`` before each read and, once that says the run is over, reads one last time, yields
    what is left and stops. With an account URL and no ``run_id`` it follows the newest log and switches
    to a newer one when it appears (a new run started), yielding a ``==> <run-id>/customization.log <==``
    line first. ``client_kwargs`` go to azure-core's pipeline (``connection_verify=``).

    Raises:
        LogNotFoundError: the run ended and the log never appeared (an unknown ``run_id``, or no log at
            all in the account).

    Example:
        >>> for line in follow_customization_log(  # doctest: +SKIP
        ...     where, credential=cred, is_running=lambda: run_in_progress(client, "rg", "tpl")
        ... ):
        ...     print(line)
    """
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    container, fixed_run, shown = _resolve(location, credential, run_id, client_kwargs)
    current: str | None = fixed_run
    known: set[str] = set()
    position = 0
    pending = b""
    found = False  # whether the log was ever there
    while True:
        running = is_running()
        if fixed_run is None:
            runs = _runs(container)
            # The newest log at first; later, a log that was not there before (a new run started).
            fresh = {run: modified for run, modified in runs.items() if run not in known}
            known.update(runs)
            newest = _newest(fresh)
            if newest is not None and newest != current:
                if current is not None and pending:
                    yield pending.rstrip(b"\r").decode(encoding, errors="replace")
                current, position, pending = newest, 0, b""
                yield f"==> {current}{LOG_BLOB_SUFFIX} <=="
        if current is not None:
            blob = container.get_blob_client(f"{current}{LOG_BLOB_SUFFIX}")
            try:
                size = int(blob.get_blob_properties().size)
                found = True
                if size < position:  # the log was replaced by a shorter one: start again
                    position, pending = 0, b""
                if size > position:
                    chunk = bytes(blob.download_blob(offset=position, length=size - position).readall())
                    position += len(chunk)
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        yield line.rstrip(b"\r").decode(encoding, errors="replace")
            except ResourceNotFoundError:
                pass  # not written yet
            except HttpResponseError as exc:
                if exc.status_code != 416:
                    raise
                # 416: the log shrank between reading its size and its bytes; the next poll starts over.
        if not running:
            if pending:
                yield pending.rstrip(b"\r").decode(encoding, errors="replace")
            if not found:  # the run ended and its log never appeared: an unknown run id, or no log yet
                where = f"{LOG_CONTAINER}/{current or '<run-id>'}{LOG_BLOB_SUFFIX}"
                raise LogNotFoundError(f"no {where} in {shown}")
            return
        sleep(poll_interval)
