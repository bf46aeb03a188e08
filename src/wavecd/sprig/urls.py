"""Sprig's `urlParse` and `urlJoin` (url.go), over Go's net/url rules in gourl."""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.sprig import gourl
from wavecd.sprig.goval import kind_name


def url_parse(text: str) -> dict[str, Any]:
    try:
        url = gourl.parse(text)
    except gourl.URLError as err:
        raise GoFuncError(f"unable to parse url: {err}") from None
    return {
        "scheme": url.scheme,
        "host": url.host,
        "hostname": url.hostname(),
        "path": url.path,
        "query": url.raw_query,
        "opaque": url.opaque,
        "fragment": url.fragment,
        "userinfo": url.userinfo() if url.has_user else "",
    }


def _string_key(d: dict[str, Any] | None, key: str) -> str:
    if d is None or key not in d:
        return ""
    value = d[key]
    if not isinstance(value, str):
        raise GoFuncError(f"unable to parse {key} key, must be of type string, but {kind_name(value)} found")
    return value


def url_join(d: dict[str, Any] | None) -> str:
    url = gourl.GoURL(
        scheme=_string_key(d, "scheme"),
        host=_string_key(d, "host"),
        path=_string_key(d, "path"),
        raw_query=_string_key(d, "query"),
        opaque=_string_key(d, "opaque"),
        fragment=_string_key(d, "fragment"),
    )
    userinfo = _string_key(d, "userinfo")
    if userinfo:
        try:
            parsed = gourl.parse(f"proto://{userinfo}@host")
        except gourl.URLError as err:
            raise GoFuncError(f"unable to parse userinfo in dict: {err}") from None
        url.username, url.password = parsed.username, parsed.password
    return str(url)


FUNCS = [
    GoFunc("urlParse", url_parse, ("string",)),
    GoFunc("urlJoin", url_join, ("map[string]interface {}",)),
]
