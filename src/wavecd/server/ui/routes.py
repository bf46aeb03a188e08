"""`GET /` and `GET /ui/{file}`: the UI's static files, read from the package, under strict security headers.

Only the files shipped in `static/` are served, looked up by name in a fixed map built once (so no path a
client sends is ever joined onto a folder), each with its content type and `nosniff`. The shell forbids
inline script and every origin but its own (`Content-Security-Policy`), framing (`frame-ancestors 'none'`,
and `X-Frame-Options` for old browsers) and referrers, so a token pasted into it cannot leak by a link.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wavecd.server.errors import NotFound

__all__ = ["SECURITY_HEADERS", "ui_routes"]

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Every file is asked again on each load (never cached stale across a release), but answered with a
    # bodiless 304 while its ETag still matches.
    "Cache-Control": "no-cache",
}


def _static_files() -> dict[str, tuple[bytes, str, str]]:
    """Every shipped file by name: its bytes, content type and ETag (a digest of the bytes). Read once: the
    package does not change while the server runs."""
    folder = resources.files(__package__).joinpath("static")
    files: dict[str, tuple[bytes, str, str]] = {}
    for entry in folder.iterdir():
        suffix = entry.name[entry.name.rfind(".") :] if "." in entry.name else ""
        if entry.is_file() and suffix in _CONTENT_TYPES:
            body = entry.read_bytes()
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            files[entry.name] = (body, _CONTENT_TYPES[suffix], etag)
    return files


def ui_routes() -> list[Route]:
    """The routes of the UI: `/` is the shell (index.html), `/ui/{file}` its other files."""
    files = _static_files()

    def respond(request: Request, name: str) -> Response:
        if name not in files:
            raise NotFound(f"no such file of the web UI: {name}")
        body, content_type, etag = files[name]
        headers = {**SECURITY_HEADERS, "Content-Type": content_type, "ETag": etag}
        asked = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
        if etag in asked or "*" in asked:
            return Response(status_code=304, headers=headers)
        return Response(body, headers=headers)

    async def shell(request: Request) -> Response:
        return respond(request, "index.html")

    async def asset(request: Request) -> Response:
        return respond(request, request.path_params["file"])

    return [Route("/", shell, methods=["GET", "HEAD"]), Route("/ui/{file}", asset, methods=["GET", "HEAD"])]
