"""`wavecd render ROOT`: every manifest of the app tree, to stdout or one `<app>.yaml` per app.

With `--out DIR` the files are written to a temporary folder beside DIR and moved into place only when
all are written, so DIR never holds half a render. A broken app gets no file; the summary names it and
the exit status is 1.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wavecd.cli.tree_cmd import open_tree_or_exit, root_options
from wavecd.common import APPLICATION, APPLICATION_SET

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest


def _app_yaml(node: Any) -> str:
    from wavecd.goyaml import to_yaml

    return "".join(f"---\n{to_yaml(obj)}" for obj in node.manifests)


def _write_out(out: Path, files: dict[str, str]) -> None:
    """Write every file to a fresh folder beside `out`, then swap it in for `out`."""
    if out.exists():
        if not out.is_dir():
            raise click.ClickException(f"--out {out} exists and is not a folder")
        strangers = [p.name for p in out.iterdir() if not p.name.endswith(".yaml")]
        if strangers:
            raise click.ClickException(
                f"--out {out} holds files wavecd did not write ({', '.join(sorted(strangers)[:5])}); "
                "choose an empty or new folder"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


@click.command("render", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one <app>.yaml per app into this folder instead of printing.",
)
@click.option("--app", "app_name", help="Only this app's manifests (the whole tree is still walked).")
def render(
    request: TreeRequest,
    out: Path | None,
    app_name: str | None,
) -> None:
    """Render every manifest of the app tree of ROOT, as Argo CD would sync them."""
    _, walked = open_tree_or_exit(request)
    apps = [n for n in walked.nodes if n.kind == APPLICATION]
    if app_name is not None:
        apps = [n for n in apps if n.name == app_name]
        if not apps:
            names = ", ".join(n.name for n in walked.nodes if n.kind == APPLICATION)
            click.echo(f"Error: no Application named {app_name!r} in the tree; it has: {names}", err=True)
            sys.exit(2)
    broken = [n for n in apps if n.error]
    rendered = [n for n in apps if not n.error]
    if out is None:
        for node in rendered:
            sys.stdout.write(f"# app: {node.name}\n{_app_yaml(node)}")
    else:
        files = {f"{node.name}.yaml": _app_yaml(node) for node in rendered}
        if app_name is None:  # and what each ApplicationSet generated, as Argo CD's controller would create it
            sets = [n for n in walked.nodes if n.kind == APPLICATION_SET and not n.error]
            files.update({f"{node.name}.applications.yaml": _app_yaml(node) for node in sets})
        _write_out(out, files)
    resources = sum(len(n.manifests) for n in rendered)
    click.echo(f"rendered {len(rendered)} apps, {resources} resources" + (f" into {out}" if out else ""), err=True)
    for node in broken:
        first = node.error.splitlines()[0] if node.error else ""
        click.echo(
            f"failed: {node.name}: {first}" + (f" (at {node.error_location})" if node.error_location else ""), err=True
        )
    if broken:
        sys.exit(1)
