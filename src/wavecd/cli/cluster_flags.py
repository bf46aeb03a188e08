"""`--kubeconfig F` and `--context C`: how every command that talks to a cluster is told which one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["cluster_options"]


def cluster_options(note: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The two flags, their help led by `note` (when they apply, e.g. "With --live: ")."""

    def text(what: str) -> str:
        line = f"{note}{what}"
        return line[:1].upper() + line[1:]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--context", help=text("kubeconfig context to use (default: the current one)."))(command)
        return click.option(
            "--kubeconfig",
            type=click.Path(path_type=Path, dir_okay=False),
            help=text("kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)."),
        )(command)

    return decorate
