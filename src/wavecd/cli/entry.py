"""The `wavecd` program: `wavecd helm template` with a plain command line renders without importing click
(its import is a tenth of a render from a filled template cache, and a third of a small chart's); every
other command line goes to the click group in `wavecd.cli.main`."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["main"]


def _as_click_ends(run: Callable[..., None], params: dict[str, Any]) -> None:
    """Run the fast path, ending as click's `main` ends a command: a closed pipe (`… | head`) exits 1 in
    silence, Ctrl-C prints `Aborted!` and exits 1 — never a traceback."""
    try:
        run(**params)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except OSError as err:
        if err.errno != errno.EPIPE:
            raise
        # what is still buffered for the closed pipe must not be flushed again at exit (a second error)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def main() -> None:
    if sys.argv[1:3] == ["helm", "template"]:
        from wavecd.cli.helm_flags import parse_template_args

        params = parse_template_args(sys.argv[3:])
        if params is not None:
            from wavecd.cli.helm_template import run_template

            _as_click_ends(run_template, params)
            return
    from wavecd.cli.main import main as click_main

    click_main()
