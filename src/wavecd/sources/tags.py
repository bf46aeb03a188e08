"""Semver constraints over git tags, as Argo CD's `versions.MaxVersion` resolves them."""

from __future__ import annotations

from wavecd.semver import SemverError, parse_constraints, parse_version
from wavecd.sources.errors import SourceError


def max_version(revision: str, tags: list[str], tag_prefix: str = "") -> str | None:
    """The tag a revision names: itself if it is a version, the highest tag meeting it if it is a
    constraint, None if it is neither (a branch name, say)."""
    candidates = [t.removeprefix(tag_prefix) for t in tags if t.startswith(tag_prefix)]
    try:
        return tag_prefix + parse_version(revision).original
    except SemverError:
        pass
    try:
        constraints = parse_constraints(revision)
    except SemverError:
        if tag_prefix:
            raise SourceError(
                f"tagPrefix {tag_prefix!r} requires targetRevision to be a semver constraint, "
                f"but {revision!r} is not a valid constraint"
            ) from None
        return None
    best = None
    best_text = ""
    for tag in candidates:
        try:
            version = parse_version(tag)
        except SemverError:
            continue
        if constraints.check(version) and (best is None or version > best):
            best, best_text = version, tag
    if best is None:
        raise SourceError(f"version matching constraint not found in {len(candidates)} tags")
    return tag_prefix + best_text
