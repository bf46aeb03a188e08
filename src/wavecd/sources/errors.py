"""Errors about sources: unreachable repositories, unknown revisions, missing charts.

The misses that a caller words differently (`wavecd helm template` prints helm's own text for each) have a
type of their own, with what they are about as fields, so that a caller branches on the type and never on
the wording of the message.
"""

from wavecd.core import WavecdError
from wavecd.core.chartarchive import LimitError


class SourceError(WavecdError):
    """A source could not be fetched or resolved; the message names the repository and revision."""


class RequestError(SourceError):
    """A request to a registry, a token service or a Helm repository failed: `status` is the HTTP status it
    was answered with, None when no answer came (a refused connection, TLS, a timeout)."""

    def __init__(self, message: str, *, status: int | None, context: list[str] | None = None):
        super().__init__(message, context=context)
        self.status = status

    @property
    def access_denied(self) -> bool:
        """The credentials were missing or refused (HTTP 401 or 403)."""
        return self.status in (401, 403)


class IndexUnavailableError(RequestError):
    """The `index.yaml` of the Helm repository at `repository` could not be fetched."""

    def __init__(self, message: str, *, repository: str, status: int | None):
        super().__init__(message, status=status)
        self.repository = repository


class InvalidVersionError(SourceError):
    """The requested chart `version` is neither a version nor a constraint that Masterminds/semver reads."""

    def __init__(self, message: str, *, version: str):
        super().__init__(message)
        self.version = version


class VersionNotFoundError(SourceError):
    """`repository` holds no version of `chart` that `version` accepts (empty: the latest)."""

    def __init__(self, message: str, *, repository: str, chart: str, version: str):
        super().__init__(message)
        self.repository = repository
        self.chart = chart
        self.version = version


class NotInIndexError(VersionNotFoundError):
    """The index of the Helm repository `repository` lists no version of `chart` that `version` accepts, or
    no chart of that name at all."""


class ChartNotInIndexError(NotInIndexError):
    """The index of the Helm repository `repository` has no chart named `chart` at all."""


class NoMatchingTagError(VersionNotFoundError):
    """No tag of the registry repository `repository` (`oci://host/name`) is a version `version` accepts."""


class NoTagsError(SourceError):
    """The registry repository `repository` (`oci://host/name`) exists but holds no tags."""

    def __init__(self, message: str, *, repository: str):
        super().__init__(message)
        self.repository = repository


class RepositoryNotFoundError(SourceError):
    """The registry at `host` has no repository `name` (its tag list answers 404)."""

    def __init__(self, message: str, *, host: str, name: str):
        super().__init__(message)
        self.host = host
        self.name = name


class ManifestNotFoundError(SourceError):
    """The registry at `host` has no manifest `reference` (a tag or a digest) in repository `name`."""

    def __init__(self, message: str, *, host: str, name: str, reference: str):
        super().__init__(message)
        self.host = host
        self.name = name
        self.reference = reference


class ChartFetchError(SourceError):
    """Chart `chart` at `version` (empty: the latest) could not be fetched from `repo_url`; `reason` is the
    error that stopped it (one of the types above, or a plain `SourceError`), its message the tail of this
    one's."""

    def __init__(self, repo_url: str, chart: str, version: str, reason: SourceError, *, context: list[str]):
        super().__init__(f"chart {chart} {version or '(latest)'} from {repo_url}: {reason.message}", context=context)
        self.repo_url = repo_url
        self.chart = chart
        self.version = version
        self.reason = reason


class ChartArchiveError(SourceError):
    """A downloaded chart archive that Helm could not load because reading it stops at one of Helm's limits
    (a decompression bomb, a body larger than any chart); it is not kept in the cache. `cause` says which
    limit, in Helm's words."""

    def __init__(self, message: str, *, cause: LimitError):
        super().__init__(message)
        self.cause = cause
