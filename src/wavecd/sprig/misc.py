"""Sprig's environment, network and flow functions: `hello`, `fail`, `env`, `expandenv`, `getHostByName`.

`env`/`expandenv` read the process environment (Helm removes them from its map; ApplicationSet
templates keep them). `getHostByName` really resolves the name, as Sprig does; Helm replaces it.
"""

from __future__ import annotations

import os
import random

from wavecd.gotemplate.funcs import GoFunc, GoFuncError

_SPECIAL_VARS = frozenset("*#$@!?-0123456789")


def fail(msg: str) -> str:
    raise GoFuncError(msg)


def _shell_name(s: str) -> tuple[str, int]:
    """os.getShellName: the variable name after a `$` and how many characters it spans."""
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SPECIAL_VARS and s[2] == "}":
            return s[1], 3
        end = s.find("}", 1)
        if end == -1:
            return "", 1
        if end == 1:
            return "", 2
        return s[1:end], end + 1
    if s[0] in _SPECIAL_VARS:
        return s[0], 1
    i = 0
    while i < len(s) and (s[i] == "_" or (s[i].isascii() and s[i].isalnum())):
        i += 1
    return s[:i], i


def expandenv(s: str) -> str:
    """os.ExpandEnv: `$VAR` and `${VAR}` from the environment; a bare `$` stays, bad `${` is eaten."""
    out: list[str] = []
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            out.append(s[i:j])
            name, width = _shell_name(s[j + 1 :])
            if name:
                out.append(os.environ.get(name, ""))
            elif width == 0:
                out.append("$")
            j += width
            i = j + 1
        j += 1
    if not out:
        return s
    return "".join(out) + s[i:]


def get_host_by_name(name: str) -> str:
    """One address of the host, chosen at random as Sprig does; no address is Go's Intn(0) panic."""
    import socket  # only this function needs the network stack

    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        infos = []
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise GoFuncError("invalid argument to Intn")
    return random.choice(addresses)


FUNCS = [
    GoFunc("hello", lambda: "Hello!"),
    GoFunc("fail", fail, ("string",)),
    GoFunc("env", lambda key: os.environ.get(key, ""), ("string",)),
    GoFunc("expandenv", expandenv, ("string",)),
    GoFunc("getHostByName", get_host_by_name, ("string",)),
]
