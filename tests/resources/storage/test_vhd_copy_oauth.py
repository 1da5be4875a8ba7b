"""VHD copy-out with a Microsoft Entra ID credential: the source is signed with a user delegation SAS.

Azurite serves https and accepts bearer tokens here (``--oauth basic``: any well-formed token for
https://storage.azure.com, signature unchecked), so a stand-in credential exercises the real Get User
Delegation Key call. (Azurite 3.35 cannot carry out a copy over https, nor check a user delegation SAS, so
the copy itself is tested with account keys in test_vhd_copy.py.)
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azimagebuilder.resources._azurite_store import BlobArtifactStore
from azimagebuilder.testing.azurite import AzuriteBlob, start_azurite

pytestmark = pytest.mark.azurite


class EntraLikeCredential:
    """A TokenCredential whose tokens look like Microsoft Entra ID's (Azurite does not check signatures)."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes += scopes

        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        now = int(time.time())
        tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
        claims = {
            "aud": "https://storage.azure.com",
            "iss": f"https://sts.windows.net/{tenant}/",
            "tid": tenant,
            "oid": "00000000-0000-0000-0000-00000000a1b2",
            "nbf": now - 300,
            "iat": now - 300,
            "exp": now + 3600,
        }
        return AccessToken(f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.unsigned", now + 3600)


@pytest.fixture(scope="module")
def azurite_oauth() -> Iterator[AzuriteBlob]:
    with start_azurite(oauth=True) as blob:
        yield blob


def test_a_token_credential_gets_a_user_delegation_sas_for_the_source(azurite_oauth: AzuriteBlob) -> None:
    from urllib.parse import parse_qs, urlsplit

    from azure.storage.blob import BlobClient

    from azimagebuilder.resources.vhd import _readable_source_url

    staging = azurite_oauth.account("ibstaging")
    store = BlobArtifactStore(staging.service_client(), vhd_size=1024 * 1024 + 512)
    source_url = store.put_vhd("/t/oauth", "vhd", b"")
    credential = EntraLikeCredential()
    source = BlobClient.from_blob_url(source_url, credential=credential, **staging.client_kwargs)

    signed = _readable_source_url(
        source, credential, timedelta(hours=2), {**staging.client_kwargs, "retry_total": 0}
    )

    assert signed.startswith(f"{source_url}?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(signed).query).items()}
    assert query["sp"] == "r"  # read only
    assert query["sr"] == "b"  # this blob only
    assert query["skoid"] == "00000000-0000-0000-0000-00000000a1b2"  # the key was issued to the token's user
    assert query["sktid"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert query["sig"]
    lifetime = datetime.fromisoformat(query["se"].replace("Z", "+00:00")) - datetime.now(timezone.utc)
    assert timedelta(hours=1, minutes=55) < lifetime <= timedelta(hours=2)
    assert "https://storage.azure.com/.default" in credential.scopes

    # an account key needs no service call, and the token's path is not taken
    keyed = _readable_source_url(source, staging.credential, timedelta(hours=1), {})
    assert "skoid" not in keyed
    assert "sig=" in keyed


def test_scripts_upload_over_https_with_pipeline_options(azurite_oauth: AzuriteBlob, tmp_path: Any) -> None:
    from azimagebuilder.resources import upload_shell_script

    user = azurite_oauth.account("userstore")
    script = tmp_path / "tls.sh"
    script.write_bytes(b"echo tls\n")
    step = upload_shell_script(
        script,
        f"{user.blob_endpoint}/tls-scripts",
        credential=user.credential,
        create_container=True,
        **user.client_kwargs,  # trust Azurite's throw-away CA
    )
    assert step.script_uri == f"{user.blob_endpoint}/tls-scripts/tls.sh"
    blob = user.service_client().get_blob_client("tls-scripts", "tls.sh")
    assert blob.download_blob().readall() == b"echo tls\n"
