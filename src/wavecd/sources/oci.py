"""A small client for the OCI distribution API: tags, manifests and blobs, read and written.

wavecd needs five calls of the API, so it speaks them with httpx directly rather than through a
general OCI library; authentication is `RegistryAuth`'s job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from wavecd.sources.cache import sha256_digest
from wavecd.sources.download import read_archive_body
from wavecd.sources.errors import RequestError, SourceError
from wavecd.sources.registryauth import RegistryAuth

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
_MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST))

# Docker Hub's registry API lives on another host than the name people write.
_API_HOSTS = {"docker.io": "registry-1.docker.io", "index.docker.io": "registry-1.docker.io"}


@dataclass(frozen=True)
class Manifest:
    data: bytes
    digest: str
    body: dict[str, Any]


class OciRegistry:
    """One registry host, reached over HTTPS (or plain HTTP when configured so)."""

    def __init__(
        self,
        host: str,
        client: httpx.Client,
        *,
        plain_http: bool = False,
        username: str | None = None,
        password: str | None = None,
    ):
        self.host = _API_HOSTS.get(host, host)
        self.base = f"{'http' if plain_http else 'https'}://{self.host}"
        self._client = client
        self._auth = RegistryAuth(username, password)

    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, auth=self._auth, **kwargs)
        except httpx.HTTPError as err:
            raise RequestError(f"registry {self.host}: cannot {what}: {err}", status=None) from None

    def _fail(self, response: httpx.Response, what: str) -> RequestError:
        detail = ""
        try:
            errors = response.json().get("errors") or []
            detail = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict))
        except (ValueError, AttributeError):
            pass
        hint = ""
        if response.status_code in (401, 403):
            hint = f"; check the username and password of the registries entry for {self.host} in wavecd.yaml"
        return RequestError(
            f"registry {self.host}: cannot {what}: HTTP {response.status_code}"
            + (f" ({detail})" if detail else "")
            + hint,
            status=response.status_code,
        )

    def tags(self, name: str, *, page_size: int | None = None) -> list[str] | None:
        """All tags of repository `name`, following `Link` pagination (registries such as ghcr.io page
        long lists whether asked to or not); None when the repository is unknown."""
        tags: list[str] = []
        url = f"{self.base}/v2/{name}/tags/list" + (f"?n={page_size}" if page_size else "")
        while url:
            response = self._send("GET", url, f"list the tags of {name}")
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise self._fail(response, f"list the tags of {name}")
            try:
                page = response.json()
            except ValueError:
                page = None
            if not isinstance(page, dict) or not isinstance(page.get("tags") or [], list):
                raise SourceError(f"registry {self.host}: the tag list of {name} is not the expected JSON")
            tags.extend(str(tag) for tag in page.get("tags") or [])
            url = _next_link(url, response.headers.get("Link", ""))
        return tags

    def manifest(self, name: str, reference: str) -> Manifest | None:
        """The manifest of `name` at a tag or digest; None when there is none."""
        response = self._send(
            "GET",
            f"{self.base}/v2/{name}/manifests/{reference}",
            f"read {name}:{reference}",
            headers={"Accept": _MANIFEST_ACCEPT},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail(response, f"read {name}:{reference}")
        data = response.content
        digest = sha256_digest(data)
        if reference.startswith("sha256:") and digest != reference:
            raise SourceError(f"registry {self.host}: manifest {name}@{reference} has digest {digest}")
        try:
            body = json.loads(data)
        except ValueError:
            raise SourceError(f"registry {self.host}: the manifest of {name}:{reference} is not JSON") from None
        return Manifest(data, digest, body if isinstance(body, dict) else {})

    def blob(self, name: str, digest: str) -> bytes:
        """A chart layer, streamed and refused once larger than any loadable chart (`read_archive_body`)."""
        what = f"read blob {digest} of {name}"
        try:
            with self._client.stream("GET", f"{self.base}/v2/{name}/blobs/{digest}", auth=self._auth) as response:
                if response.status_code != 200:
                    response.read()
                    raise self._fail(response, what)
                return read_archive_body(response, f"registry {self.host}: blob {digest} of {name}")
        except httpx.HTTPError as err:
            raise RequestError(f"registry {self.host}: cannot {what}: {err}", status=None) from None

    def push_blob(self, name: str, data: bytes) -> str:
        """Upload `data` (one monolithic upload) unless the registry has it already; its digest."""
        digest = sha256_digest(data)
        what = f"upload blob {digest} to {name}"
        if self._send("HEAD", f"{self.base}/v2/{name}/blobs/{digest}", what).status_code == 200:
            return digest
        started = self._send("POST", f"{self.base}/v2/{name}/blobs/uploads/", what)
        if started.status_code != 202 or "Location" not in started.headers:
            raise self._fail(started, what)
        # The upload URL carries the registry's own state in its query: add the digest to it.
        location = httpx.URL(urljoin(self.base + "/", started.headers["Location"])).copy_merge_params(
            {"digest": digest}
        )
        done = self._send(
            "PUT",
            str(location),
            what,
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        if done.status_code != 201:
            raise self._fail(done, what)
        return digest

    def push_manifest(self, name: str, reference: str, data: bytes, media_type: str = OCI_MANIFEST) -> str:
        what = f"push manifest {name}:{reference}"
        response = self._send(
            "PUT",
            f"{self.base}/v2/{name}/manifests/{reference}",
            what,
            content=data,
            headers={"Content-Type": media_type},
        )
        if response.status_code != 201:
            raise self._fail(response, what)
        return sha256_digest(data)


def _next_link(current: str, header: str) -> str:
    """The `rel="next"` target of a `Link` header, resolved against the current URL."""
    for part in header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") and target.strip().startswith("<"):
            return urljoin(current, target.strip()[1:-1])
    return ""
