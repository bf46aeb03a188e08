"""The exact stdout of `helm template`: CRDs, manifests, hooks, and the `--show-only` filter."""

from __future__ import annotations

import re

from wavecd.helm.gomatch import BadPattern, match
from wavecd.helm.manifests import Manifest, is_test_hook, split_manifests, trim_space

_SOURCE = re.compile(r"# Source: [^/]+/(.+)")


class ShowOnlyError(Exception):
    """`could not find template X in chart`."""


def release_manifest(crds: list[tuple[str, bytes]], manifests: list[Manifest]) -> str:
    """rel.Manifest: CRDs verbatim (with `--include-crds`), then every manifest, each framed by `# Source:`."""
    parts = [f"---\n# Source: {path}\n{_text(raw)}\n" for path, raw in crds]
    parts.extend(f"---\n# Source: {m.path}\n{m.content}\n" for m in manifests)
    return "".join(parts)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def template_stdout(
    manifest: str,
    hooks: list[Manifest],
    *,
    no_hooks: bool,
    skip_tests: bool,
    show_only: list[str],
    keep_trailing_whitespace: bool = False,
) -> str:
    """What `helm template` prints: the trimmed manifest and a newline, then hooks; or the `-s` selection
    (re-split the way the Helm version splits documents, see `split_manifests`)."""
    parts = [trim_space(manifest), "\n"]
    if not no_hooks:
        parts.extend(f"---\n# Source: {h.path}\n{h.content}\n" for h in hooks if not (skip_tests and is_test_hook(h)))
    out = "".join(parts)
    if not show_only:
        return out
    return _show_only(out, show_only, keep_trailing_whitespace)


def _show_only(out: str, patterns: list[str], keep_trailing_whitespace: bool) -> str:
    docs = split_manifests(out, keep_trailing_whitespace)
    named = []
    for doc in docs:
        found = _SOURCE.search(doc)
        if found:
            named.append((found.group(1), doc))
    selected: list[str] = []
    for pattern in patterns:
        missing = True
        for name, doc in named:
            try:
                hit = match(pattern, name)
            except BadPattern:
                hit = False
            if hit:
                selected.append(doc)
                missing = False
        if missing:
            raise ShowOnlyError(f"could not find template {pattern} in chart")
    return "".join(f"---\n{doc}\n" for doc in selected)
