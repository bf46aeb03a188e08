"""Go's net/url: `Parse`, `URL.String()`, `Hostname()` and the escaping rules behind them.

Sprig's `urlParse` and `urlJoin` expose Go's exact choices: which part is `opaque`, that the path is
unescaped while userinfo is re-escaped, that `urlJoin` prefixes `./` to a path whose first segment
has a colon. urllib differs in all of these, so the parser and printer follow Go's url.go.
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.core.goquote import quote as go_quote
from wavecd.sprig.goval import from_go_bytes, go_bytes

PATH, PATH_SEGMENT, HOST, ZONE, USER_PASSWORD, QUERY_COMPONENT, FRAGMENT = range(7)
_UNRESERVED_MARKS = frozenset(b"-_.~")
_HOST_EXTRA = frozenset(b"!$&'()*+,;=:[]<>\"")
_RESERVED = frozenset(b"$&+,/:;=?@")
_USERINFO_OK = frozenset(b"-._:~!$&'()*+,;=%@")
_HEX = "0123456789ABCDEF"


class URLError(ValueError):
    """A url.Error or one of its causes; the message is Go's text."""


@dataclass
class GoURL:
    """Go's `url.URL`: the parts a URL is split into."""

    scheme: str = ""
    opaque: str = ""
    username: str | None = None
    password: str | None = None
    host: str = ""
    path: str = ""
    raw_query: str = ""
    fragment: str = ""
    force_query: bool = False
    omit_host: bool = False

    @property
    def has_user(self) -> bool:
        return self.username is not None

    def userinfo(self) -> str:
        """Userinfo.String(): username and password escaped for the userinfo component."""
        if self.username is None:
            return ""
        text = escape(self.username, USER_PASSWORD)
        if self.password is not None:
            text += ":" + escape(self.password, USER_PASSWORD)
        return text

    def hostname(self) -> str:
        """URL.Hostname(): the host without port and without IPv6 brackets."""
        host = self.host
        if host.startswith("["):
            end = host.find("]")
            return host[1:end] if end != -1 else host[1:]
        colon = host.rfind(":")
        if colon != -1 and _valid_port(host[colon:]):
            return host[:colon]
        return host

    def __str__(self) -> str:
        out = []
        if self.scheme:
            out.append(self.scheme + ":")
        if self.opaque:
            out.append(self.opaque)
        else:
            if (self.scheme or self.host or self.has_user) and not (
                self.omit_host and not self.host and not self.has_user
            ):
                if self.host or self.path or self.has_user:
                    out.append("//")
                if self.has_user:
                    out.append(self.userinfo() + "@")
                if self.host:
                    out.append(escape(self.host, HOST))
            path = "*" if self.path == "*" else escape(self.path, PATH)
            if path and path[0] != "/" and self.host:
                out.append("/")
            if not out and ":" in path.split("/", 1)[0]:
                out.append("./")
            out.append(path)
        if self.force_query or self.raw_query:
            out.append("?" + self.raw_query)
        if self.fragment:
            out.append("#" + escape(self.fragment, FRAGMENT))
        return "".join(out)


def _should_escape(c: int, mode: int) -> bool:
    if 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A:
        return False
    if mode in (HOST, ZONE) and c in _HOST_EXTRA:
        return False
    if c in _UNRESERVED_MARKS:
        return False
    if c in _RESERVED:
        if mode == PATH:
            return c == 0x3F
        if mode == PATH_SEGMENT:
            return c in b"/;,?"
        if mode == USER_PASSWORD:
            return c in b"@/?:"
        if mode == QUERY_COMPONENT:
            return True
        if mode == FRAGMENT:
            return False
    return not (mode == FRAGMENT and c in b"!()*")


def escape(s: str, mode: int) -> str:
    """url.escape: percent-encode every byte the mode does not allow (uppercase hex)."""
    if s.isascii() and s.isalnum():
        return s
    out = []
    for c in go_bytes(s):
        if _should_escape(c, mode):
            if c == 0x20 and mode == QUERY_COMPONENT:
                out.append("+")
            else:
                out.append("%" + _HEX[c >> 4] + _HEX[c & 15])
        else:
            out.append(chr(c))
    return from_go_bytes("".join(out).encode("latin-1"))


def _is_hex(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66


def unescape(s: str, mode: int) -> str:
    """url.unescape: decode %XX; in a host only non-ASCII bytes may be escaped."""
    data = go_bytes(s)
    if b"%" not in data and (mode != HOST or all(c >= 0x80 or not _should_escape(c, mode) for c in data)):
        return s
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        c = data[i]
        if c == 0x25:
            if i + 2 >= n or not _is_hex(data[i + 1]) or not _is_hex(data[i + 2]):
                bad = from_go_bytes(data[i : i + 3])
                raise URLError(f"invalid URL escape {go_quote(bad)}")
            value = int(data[i + 1 : i + 3], 16)
            if mode == HOST and value < 0x80 and data[i : i + 3] != b"%25":
                raise URLError(f"invalid URL escape {go_quote(from_go_bytes(data[i : i + 3]))}")
            out.append(value)
            i += 3
            continue
        if mode == HOST and c < 0x80 and _should_escape(c, mode):
            raise URLError(f"invalid character {go_quote(chr(c))} in host name")
        out.append(0x20 if c == 0x2B and mode == QUERY_COMPONENT else c)
        i += 1
    return from_go_bytes(bytes(out))


def _valid_port(port: str) -> bool:
    """validOptionalPort: empty, or a colon followed by digits."""
    if port == "":
        return True
    return port[0] == ":" and all("0" <= c <= "9" for c in port[1:])


def _scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if "a" <= c <= "z" or "A" <= c <= "Z":
            continue
        if "0" <= c <= "9" or c in "+-.":
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse_host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise URLError("missing ']' in host")
        port = host[end + 1 :]
        if not _valid_port(port):
            raise URLError(f"invalid port {go_quote(port)} after host")
        zone = host.find("%25", 0, end)
        if zone >= 0:
            return host[:zone] + unescape(host[zone:end], ZONE) + host[end:]
        return host
    colon = host.rfind(":")
    if colon != -1 and not _valid_port(host[colon:]):
        raise URLError(f"invalid port {go_quote(host[colon:])} after host")
    return unescape(host, HOST)


def _parse_authority(url: GoURL, authority: str) -> None:
    at = authority.rfind("@")
    if at < 0:
        url.host = _parse_host(authority)
        return
    url.host = _parse_host(authority[at + 1 :])
    userinfo = authority[:at]
    if not all(
        c in _USERINFO_OK or 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A for c in go_bytes(userinfo)
    ):
        raise URLError("net/url: invalid userinfo")
    if ":" in userinfo:
        user, password = userinfo.split(":", 1)
        url.username = unescape(user, USER_PASSWORD)
        url.password = unescape(password, USER_PASSWORD)
    else:
        url.username = unescape(userinfo, USER_PASSWORD)


def _parse(raw: str) -> GoURL:
    if any(c < " " or c == "\x7f" for c in raw):
        raise URLError("net/url: invalid control character in URL")
    url = GoURL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        url.force_query = True
        rest = rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.split("/", 1)[0]:
            raise URLError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        _parse_authority(url, authority)
        url.omit_host = authority == ""
    url.path = unescape(rest, PATH)
    return url


def parse(raw: str) -> GoURL:
    """url.Parse; URLError carries the url.Error text (`parse ":bad": missing protocol scheme`)."""
    head, has_fragment, fragment = raw.partition("#")
    try:
        url = _parse(head)
    except URLError as err:
        raise URLError(f"parse {go_quote(head)}: {err}") from None
    if has_fragment:
        try:
            url.fragment = unescape(fragment, FRAGMENT)
        except URLError as err:
            raise URLError(f"parse {go_quote(raw)}: {err}") from None
    return url
