"""The user-supplied values of one `helm template` run (`values.Options.MergeValues`).

Order and precedence: `-f` files left to right (maps deep-merged, everything else replaced), then
`--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`, each flag in the order given.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from wavecd.helm import strvals
from wavecd.helm.values_io import ValuesError, merge_maps, read_values


class UserValuesError(Exception):
    """Helm's message for a bad values flag (without `Error: `)."""


@dataclass(frozen=True)
class ValueOptions:
    """The values flags of `helm template`: -f, --set-json, --set, --set-string, --set-file, --set-literal."""

    value_files: list[str] = field(default_factory=list)
    json_values: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    string_values: list[str] = field(default_factory=list)
    file_values: list[str] = field(default_factory=list)
    literal_values: list[str] = field(default_factory=list)


def _read_file(path: str, base_dir: str | None) -> bytes:
    if path.strip() == "-":
        return sys.stdin.buffer.read()
    full = path if base_dir is None or os.path.isabs(path) else os.path.join(base_dir, path)
    try:
        with open(full, "rb") as fh:
            return fh.read()
    except IsADirectoryError:
        raise UserValuesError(f"read {path}: is a directory") from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise UserValuesError(f"open {path}: {reason}") from None


def merge_user_values(opts: ValueOptions, *, helm_major: int, base_dir: str | None = None) -> dict[str, Any]:
    """All user values merged; raises UserValuesError with Helm's text."""
    base: dict[str, Any] = {}
    for path in opts.value_files:
        raw = _read_file(path, base_dir)
        try:
            current = read_values(raw, helm_major=helm_major)
        except ValuesError as exc:
            raise UserValuesError(f"failed to parse {path}: {exc}") from None
        base = merge_maps(base, current)
    for value in opts.json_values:
        trimmed = value.strip()
        if helm_major >= 4 and trimmed.startswith("{"):
            try:
                parsed = json.loads(trimmed)
            except ValueError:
                raise UserValuesError(f"failed parsing --set-json data JSON: {value}") from None
            if not isinstance(parsed, dict):
                raise UserValuesError(f"failed parsing --set-json data JSON: {value}")
            try:
                base = merge_maps(base, strvals.json_floats(parsed))
            except strvals.StrvalsError:
                raise UserValuesError(f"failed parsing --set-json data JSON: {value}") from None
            continue
        try:
            strvals.parse_json(value, base, helm_major)
        except strvals.StrvalsError:
            raise UserValuesError(f"failed parsing --set-json data {value}") from None
    _apply(opts.values, base, strvals.parse_into, "--set", helm_major)
    _apply(opts.string_values, base, strvals.parse_into_string, "--set-string", helm_major)

    def reader(raw: str) -> str:
        try:
            return _read_file(raw, base_dir).decode("utf-8", errors="replace")
        except UserValuesError as exc:
            raise strvals.StrvalsError(str(exc)) from None

    for value in opts.file_values:
        try:
            strvals.parse_into_file(value, base, reader, helm_major)
        except strvals.StrvalsError as exc:
            raise UserValuesError(f"failed parsing --set-file data: {exc}") from None
    _apply(opts.literal_values, base, strvals.parse_literal_into, "--set-literal", helm_major)
    return base


def _apply(flags: list[str], base: dict[str, Any], parse: Any, flag: str, helm_major: int) -> None:
    for value in flags:
        try:
            parse(value, base, helm_major)
        except strvals.StrvalsError as exc:
            raise UserValuesError(f"failed parsing {flag} data: {exc}") from None
