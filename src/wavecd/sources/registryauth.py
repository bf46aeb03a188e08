"""Authentication against an OCI registry: the distribution token flow and plain basic auth.

A registry answers an unauthenticated request with 401 and a `WWW-Authenticate` challenge. For
`Bearer realm=…,service=…,scope=…` the client asks the realm for a token (anonymously, or with basic
credentials when it has them) and retries with it; for `Basic` it retries with the credentials.
Tokens are kept per repository so the following requests of a pull go straight through.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Generator

import httpx

from wavecd.sources.errors import RequestError, SourceError

_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
_REPOSITORY = re.compile(r"^/v2/(.+?)/(?:manifests|blobs|tags)/")


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """(`bearer` | `basic` | …, parameters) of one `WWW-Authenticate` header."""
    scheme, _, rest = header.strip().partition(" ")
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(rest)}
    return scheme.lower(), params


class RegistryAuth(httpx.Auth):
    """An httpx auth flow answering registry challenges, shared by every request to one registry."""

    def __init__(self, username: str | None = None, password: str | None = None):
        self._basic = _basic_header(username, password or "") if username else None
        self._tokens: dict[str, str] = {}
        self._use_basic = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        repository = _repository_of(request.url.path)
        token = self._tokens.get(repository)
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        elif self._use_basic and self._basic is not None:
            request.headers["Authorization"] = self._basic
        response = yield request
        if response.status_code != 401:
            return
        scheme, params = parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if scheme == "bearer" and params.get("realm"):
            token = yield from self._fetch_token(request, repository, params)
            self._tokens[repository] = token
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
        elif scheme == "basic" and self._basic is not None and not self._use_basic:
            self._use_basic = True
            request.headers["Authorization"] = self._basic
            yield request

    def _fetch_token(
        self, request: httpx.Request, repository: str, params: dict[str, str]
    ) -> Generator[httpx.Request, httpx.Response, str]:
        scope = params.get("scope")
        if not scope and repository:
            actions = "pull" if request.method in ("GET", "HEAD") else "pull,push"
            scope = f"repository:{repository}:{actions}"
        query = {key: value for key, value in (("service", params.get("service")), ("scope", scope)) if value}
        token_request = httpx.Request("GET", httpx.URL(params["realm"], params=query))
        if self._basic is not None:
            token_request.headers["Authorization"] = self._basic
        response = yield token_request
        response.read()
        if response.status_code != 200:
            who = "with the configured credentials" if self._basic else "anonymously"
            raise RequestError(
                f"registry {request.url.host}: the token service {params['realm']} refused access to "
                f"{scope or 'the registry'} {who} (HTTP {response.status_code})",
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceError(f"registry {request.url.host}: the token service {params['realm']} returned no token")
        return token


def _repository_of(path: str) -> str:
    match = _REPOSITORY.match(path)
    return match.group(1) if match else ""


def _basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
