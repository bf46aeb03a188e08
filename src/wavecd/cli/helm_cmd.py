"""`wavecd helm` as a click group: `helm template`'s options come from `wavecd.cli.helm_flags`' table, the
render from `wavecd.cli.helm_template`. A new process with a plain command line never gets here
(`wavecd.cli.entry` parses it without click); `--help`, odd lines, tests and the server do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from wavecd.cli.helm_flags import TEMPLATE_FLAGS, Flag

__all__ = ["helm"]


def _option(flag: Flag) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if flag.kind == "switch":
        return click.option(*flag.names, flag.param, is_flag=True, help=flag.help)
    if flag.kind == "note":
        return click.option(*flag.names, flag.param, flag_value=flag.names[-1], multiple=True, help=flag.help)
    if flag.kind == "many":
        return click.option(*flag.names, flag.param, multiple=True, help=flag.help)
    if flag.choices:
        choice = click.Choice(list(flag.choices))
        return click.option(
            *flag.names, flag.param, type=choice, default=flag.default, show_default=True, help=flag.help
        )
    return click.option(*flag.names, flag.param, default=flag.default, help=flag.help)


def _template_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for flag in reversed(TEMPLATE_FLAGS):  # decorators apply bottom-up; help lists them in table order
        fn = _option(flag)(fn)
    return fn


@click.group()
def helm() -> None:
    """Helm charts rendered exactly as Helm renders them."""


@helm.command("template", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("args", nargs=-1)
@_template_options
def template(**params: Any) -> None:
    """Render CHART like `helm template [NAME] CHART`.

    CHART is a chart folder, a `.tgz`, `oci://host/path/chart[:tag|@digest]`, or a chart name in the
    Helm repository given by `--repo`.
    """
    from wavecd.cli.helm_template import run_template

    run_template(**params)
