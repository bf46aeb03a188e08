"""`?fields=`: a response cut down to the paths a client names, as Argo CD's gateway cuts its responses.

`fields=items.metadata.name,items.status.sync.status` keeps only those paths (and what lies under them);
`fields=-items.status.resources` keeps everything but them. A path is the object keys from the top of the
body, joined by dots, with no index for a list: `items.metadata.name` names the name of every item. The
stream's paths start at its frame, `result.type`, `result.application.metadata.name`. Argo CD's UI asks
for the fields its list shows; a 1,000-app list drops from megabytes to a few hundred kilobytes.

A path is kept when it is named or a named path lies under it; Argo CD compares bare string prefixes, so
there `items.metadata.namespace` also keeps `items.metadata.name`; here it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wavecd.server.errors import InvalidArgument

__all__ = ["FieldSelector"]

_MAX_FIELDS = 200
_MAX_LENGTH = 8192


@dataclass(frozen=True)
class FieldSelector:
    """The paths of one `fields` parameter; `exclude` when it began with `-`."""

    paths: frozenset[str]
    exclude: bool

    @staticmethod
    def parse(query: str | None) -> FieldSelector | None:
        """None for no (or an empty) parameter: the whole body. A malformed one is refused, never guessed at."""
        if not query:
            return None
        if len(query) > _MAX_LENGTH:
            raise InvalidArgument(f"fields: at most {_MAX_LENGTH} characters")
        exclude = query.startswith("-")
        paths = [p.strip() for p in query.removeprefix("-").split(",")]
        if len(paths) > _MAX_FIELDS:
            raise InvalidArgument(f"fields: at most {_MAX_FIELDS} paths")
        for path in paths:
            if not path or any(not part for part in path.split(".")):
                raise InvalidArgument(f"fields: {path!r} is not a dotted path such as items.metadata.name")
        return FieldSelector(frozenset(paths), exclude)

    def below(self, key: str) -> FieldSelector | None:
        """The selector for what lies under top-level `key` (`items`: for one item); None when `key` itself
        is named, so all of it is kept."""
        if key in self.paths and not self.exclude:
            return None
        start = f"{key}."
        return FieldSelector(frozenset(p.removeprefix(start) for p in self.paths if p.startswith(start)), self.exclude)

    def _prefixes(self) -> frozenset[str]:
        out: set[str] = set()
        for path in self.paths:
            parts = path.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(out)

    def apply(self, body: Any) -> Any:
        """A copy of `body` cut down to the selected paths; `body` itself is not changed."""
        return _cut(body, "", self.paths, self._prefixes(), self.exclude)


def _cut(value: Any, path: str, paths: frozenset[str], prefixes: frozenset[str], exclude: bool) -> Any:
    if isinstance(value, list):
        return [_cut(item, path, paths, prefixes, exclude) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        here = f"{path}.{key}" if path else key
        if here in paths:
            if not exclude:
                out[key] = item
        elif exclude or here in prefixes:
            out[key] = _cut(item, here, paths, prefixes, exclude)
    return out
