"""Versions and constraints as Masterminds/semver v3 handles them (3.3.0 for Helm 3, 3.4.0 for Helm 4.1,
3.5.0 for Helm 4.2)."""

from typing import TYPE_CHECKING

from wavecd.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from wavecd.semver.constraints import Constraints, parse_constraints
    from wavecd.semver.errors import SemverError
    from wavecd.semver.version import (
        V3_3,
        V3_4,
        V3_5,
        Version,
        compare_prerelease,
        parse_version,
        validate_metadata,
        validate_prerelease,
    )

__all__ = [
    "V3_3",
    "V3_4",
    "V3_5",
    "Constraints",
    "SemverError",
    "Version",
    "compare_prerelease",
    "parse_constraints",
    "parse_version",
    "validate_metadata",
    "validate_prerelease",
]

__getattr__, __dir__ = lazy_exports(__name__, __all__, ("version", "errors", "constraints"))
