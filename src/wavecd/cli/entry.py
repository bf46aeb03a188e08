"""The `wavecd` program: `wavecd helm template` with a plain command line renders without importing click
(its import is a tenth of a render from a filled template cache, and a third of a small chart's); every
other command line goes to the click group in `wavecd.cli.main`."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:3] == ["helm", "template"]:
        from wavecd.cli.helm_flags import parse_template_args

        params = parse_template_args(sys.argv[3:])
        if params is not None:
            from wavecd.cli.helm_template import run_template

            run_template(**params)
            return
    from wavecd.cli.main import main as click_main

    click_main()
