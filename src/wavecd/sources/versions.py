"""Which chart version a requested version means, by Helm's rule (repo index `Get`, registry tags).

Helm first looks for the requested text verbatim, then reads it as a Masterminds constraint and takes
the first candidate, in descending semver order, that satisfies it. An empty request means `*`, which
skips pre-releases, as does any constraint that names no pre-release itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from wavecd.semver import SemverError, Version, parse_constraints, parse_version
from wavecd.sources.errors import InvalidVersionError


def is_digest(reference: str) -> bool:
    """A manifest digest (`sha256:<hex>`) rather than a tag or a constraint."""
    algorithm, _, hexpart = reference.partition(":")
    return algorithm == "sha256" and len(hexpart) == 64 and all(c in "0123456789abcdef" for c in hexpart)


def descending(candidates: Iterable[str], *, strict: bool = False) -> list[tuple[Version, str]]:
    """The candidates that parse as versions, newest first (unparseable ones are dropped: Helm puts
    them last and never matches them against a constraint)."""
    parsed = []
    for text in candidates:
        try:
            parsed.append((parse_version(text, strict), text))
        except SemverError:
            continue
    parsed.sort(key=lambda item: item[0], reverse=True)
    return parsed


def pick_version(requested: str, candidates: list[str], *, strict: bool = False) -> str | None:
    """The candidate Helm would choose for `requested`, or None when none fits.

    `strict` is for registry tags, which Helm only considers (even for the exact match) when they are
    strict `X.Y.Z` versions: a tag such as `latest` is never chosen.
    """
    ordered = descending(candidates, strict=strict)
    if requested and requested in (candidates if not strict else [text for _, text in ordered]):
        return requested
    try:
        constraints = parse_constraints(requested or "*")
    except SemverError as err:
        raise InvalidVersionError(f"invalid chart version {requested!r}: {err.message}", version=requested) from None
    for version, text in ordered:
        if constraints.check(version):
            return text
    return None


def tag_for_version(version: str) -> str:
    """The OCI tag Helm pushes a chart version under: `+` is not allowed in tags, so it becomes `_`."""
    return version.replace("+", "_")


def version_for_tag(tag: str) -> str:
    return tag.replace("_", "+")
