"""`wavecd serve token`: the bearer tokens the API of `wavecd serve` accepts.

A new token is printed once, alone on the last line, so a script can take it with `tail -n 1`; only its
hash is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wavecd.core.errors import WavecdError

__all__ = ["token"]


@click.group()
def token() -> None:
    """Tokens for the API of `wavecd serve` (readonly may read; admin may also sync, refresh, roll back
    and terminate)."""


@token.command()
@click.option(
    "--role",
    type=click.Choice(["readonly", "admin"]),
    required=True,
    help="What the token may do.",
)
@click.option(
    "--tokens",
    "tokens_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The token file (default: $WAVECD_STATE_DIR/tokens.json, else $XDG_STATE_HOME/wavecd/tokens.json, "
    "else ~/.local/state/wavecd/tokens.json).",
)
def create(role: str, tokens_path: Path | None) -> None:
    """Create a token; it is printed once, on the last line, and cannot be shown again."""
    from wavecd.server.tokens import Role, TokenStore, default_tokens_path

    path = tokens_path or default_tokens_path()
    try:
        token_id, secret = TokenStore(path).create(Role(role))
    except OSError as err:
        click.echo(f"cannot write the token file {path}: {err.strerror or err}", err=True)
        sys.exit(1)
    except WavecdError as err:
        click.echo(err.render(), err=True)
        sys.exit(err.exit_code)
    click.echo(f"created {role} token {token_id} in {path}; it is shown once, on the next line:")
    click.echo(secret)
