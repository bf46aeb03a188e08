"""Sprig's environment, network and flow functions: `hello`, `fail`, `env`, `expandenv`, `getHostByName`.

`env`/`expandenv` read the process environment (Helm removes them from its map; ApplicationSet
templates keep them). `getHostByName` really resolves the name, as Sprig does; Helm replaces it.
"""

from __future__ import annotations

import os

from wavecd.core.goexpand import expand
from wavecd.gotemplate.funcs import GoFunc, GoFuncError


def fail(msg: str) -> str:
    raise GoFuncError(msg)


def expandenv(s: str) -> str:
    """os.ExpandEnv: `$VAR` and `${VAR}` from the environment (`core.goexpand`)."""
    return expand(s, lambda name: os.environ.get(name, ""))


def get_host_by_name(name: str) -> str:
    """One address of the host, chosen at random as Sprig does; no address is Go's Intn(0) panic."""
    import random  # only when called, as socket
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
