"""Request bodies read within a cap and checked field by field, into the controller's request types.

Field names and shapes are Argo CD's (`ApplicationSyncRequest`, `ApplicationRollbackRequest`, in proto3's
JSON: an int64 may arrive as a number or a decimal string). Anything else is a 400 that names the field:
a wrong type, an unknown field (a misspelt `retry` for `retryStrategy` must not be silently ignored), or one
of Argo CD's fields wavecd does not carry out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from wavecd.core.durations import parse_go_duration
from wavecd.server.api.errors import BodyTooLarge
from wavecd.server.errors import InvalidArgument
from wavecd.server.view import ResourceRef, SyncRequest

__all__ = ["MAX_BODY_BYTES", "RollbackRequest", "read_capped", "read_json_object", "rollback_request", "sync_request"]

MAX_BODY_BYTES = 1024 * 1024
_INT64 = re.compile(r"-?[0-9]{1,19}")
_INT64_RANGE = range(-(2**63), 2**63)
# Fields of Argo CD's requests that name the app again (the path names it) or scope it (one namespace and
# the `default` project here): checked as strings, otherwise ignored.
_SCOPE_FIELDS = ("name", "appNamespace", "project")
_UNSUPPORTED_SYNC_FIELDS = ("manifests", "infos", "revisions", "sourcePositions")


@dataclass(frozen=True)
class RollbackRequest:
    history_id: int
    dry_run: bool
    prune: bool


async def read_capped(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, or b"" and True when it is over `limit` bytes: reading stops there (a declared
    Content-Length over it is not read at all), so an oversized body costs at most `limit` bytes of memory
    and none of it is handed on."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body is `{}`); 413 over `MAX_BODY_BYTES`, 400 when not JSON."""
    raw, oversized = await read_capped(request, MAX_BODY_BYTES)
    if oversized:
        raise BodyTooLarge(f"request body larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        raise InvalidArgument(f"invalid request body: not JSON: {err}") from None
    if not isinstance(document, dict):
        raise InvalidArgument(f"invalid request body: expected a JSON object, not {_kind(document)}")
    return document


def sync_request(body: dict[str, Any], username: str) -> SyncRequest:
    """`ApplicationSyncRequest` checked; `retryStrategy` is handed on as `{"limit", "backoff"}`."""
    fields = _Fields(body, "")
    fields.only(
        (*_SCOPE_FIELDS, "revision", "prune", "dryRun", "resources", "syncOptions", "retryStrategy", "strategy"),
        unsupported=_UNSUPPORTED_SYNC_FIELDS,
    )
    for name in _SCOPE_FIELDS:
        fields.string(name)
    _default_strategy(fields.object("strategy"))
    options = fields.object("syncOptions")
    if options is not None:
        options.only(("items",))
    items = options.array("items") if options is not None else None
    return SyncRequest(
        revision=fields.string("revision"),
        prune=fields.boolean("prune"),
        dry_run=fields.boolean("dryRun"),
        resources=tuple(_resource(item) for item in fields.objects("resources")),
        sync_options=tuple(items.string_items() if items is not None else ()),
        retry=_retry(fields.object("retryStrategy")),
        username=username,
    )


def rollback_request(body: dict[str, Any]) -> RollbackRequest:
    """`ApplicationRollbackRequest` checked: `id` (the history entry) is required."""
    fields = _Fields(body, "")
    fields.only((*_SCOPE_FIELDS, "id", "dryRun", "prune"))
    for name in _SCOPE_FIELDS:
        fields.string(name)
    history_id = fields.int64("id")
    if history_id is None:
        raise InvalidArgument('invalid request body: "id" is required (the history entry to roll back to)')
    return RollbackRequest(history_id, fields.boolean("dryRun"), fields.boolean("prune"))


def _resource(item: _Fields) -> ResourceRef:
    item.only(("group", "kind", "name", "namespace"))
    ref = ResourceRef(item.string("group"), item.string("kind"), item.string("name"), item.string("namespace"))
    for key in ("kind", "name"):
        if not getattr(ref, key):
            raise InvalidArgument(f'invalid request body: "{item.path(key)}" is required')
    return ref


def _retry(fields: _Fields | None) -> dict[str, Any] | None:
    if fields is None:
        return None
    fields.only(("limit", "backoff"))
    retry: dict[str, Any] = {}
    if (limit := fields.int64("limit")) is not None:
        retry["limit"] = limit
    backoff = fields.object("backoff")
    if backoff is not None:
        backoff.only(("duration", "factor", "maxDuration"))
        retry["backoff"] = {}
        for key in ("duration", "maxDuration"):
            if backoff.body.get(key) is not None:
                retry["backoff"][key] = backoff.duration(key)
        if (factor := backoff.int64("factor")) is not None:
            retry["backoff"]["factor"] = factor
    return retry


def _default_strategy(fields: _Fields | None) -> None:
    """Only Argo CD's default strategy (hooks, without force) is carried out; any other is refused."""
    if fields is None:
        return
    fields.only(("hook",))
    hook = fields.object("hook")
    if hook is not None:
        hook.only(("force",))
        if hook.boolean("force"):
            raise InvalidArgument(f'invalid request body: "{hook.path("force")}" is not supported by wavecd')


class _Fields:
    """One JSON object of a body, its fields read by type; errors name the field by its path."""

    def __init__(self, body: dict[str, Any], prefix: str):
        self.body = body
        self.prefix = prefix

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def only(self, allowed: tuple[str, ...], unsupported: tuple[str, ...] = ()) -> None:
        for key in self.body:
            if key in unsupported:
                raise InvalidArgument(f'invalid request body: "{self.path(key)}" is not supported by wavecd')
            if key not in allowed:
                raise InvalidArgument(f'invalid request body: unknown field "{self.path(key)}"')

    def _typed(self, key: str, types: type | tuple[type, ...], expected: str) -> Any:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
            raise InvalidArgument(f'invalid request body: "{self.path(key)}" must be {expected}, not {_kind(value)}')
        return value

    def string(self, key: str) -> str:
        return str(self._typed(key, str, "a string") or "")

    def boolean(self, key: str) -> bool:
        return bool(self._typed(key, bool, "a boolean"))

    def int64(self, key: str) -> int | None:
        value = self._typed(key, (int, str), "an integer")
        if value is None:
            return None
        if isinstance(value, str):
            if not _INT64.fullmatch(value):
                raise InvalidArgument(f'invalid request body: "{self.path(key)}" must be an integer, not {value!r}')
            value = int(value)
        if value not in _INT64_RANGE:
            raise InvalidArgument(f'invalid request body: "{self.path(key)}" is out of the int64 range')
        return int(value)

    def duration(self, key: str) -> str:
        text = self.string(key)
        try:
            parse_go_duration(text)
        except ValueError as err:
            raise InvalidArgument(f'invalid request body: "{self.path(key)}": {err}') from None
        return text

    def object(self, key: str) -> _Fields | None:
        value = self._typed(key, dict, "an object")
        return _Fields(value, self.path(key)) if value is not None else None

    def array(self, key: str) -> _Items | None:
        value = self._typed(key, list, "a list")
        return _Items(value, self.path(key)) if value is not None else None

    def objects(self, key: str) -> list[_Fields]:
        items = self.array(key)
        return items.object_items() if items is not None else []


class _Items:
    def __init__(self, items: list[Any], prefix: str):
        self.items = items
        self.prefix = prefix

    def string_items(self) -> list[str]:
        for n, item in enumerate(self.items):
            if not isinstance(item, str):
                raise InvalidArgument(f'invalid request body: "{self.prefix}[{n}]" must be a string, not {_kind(item)}')
        return list(self.items)

    def object_items(self) -> list[_Fields]:
        for n, item in enumerate(self.items):
            if not isinstance(item, dict):
                where = f"{self.prefix}[{n}]"
                raise InvalidArgument(f'invalid request body: "{where}" must be an object, not {_kind(item)}')
        return [_Fields(item, f"{self.prefix}[{n}]") for n, item in enumerate(self.items)]


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _kind(value: Any) -> str:
    """A JSON value's type as a person reads it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
