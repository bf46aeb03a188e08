"""Values coalescing (`chartutil.CoalesceValues` / `MergeValues`): user values over chart defaults.

Rules that matter to users: user values win; maps merge recursively; a `null` from the user deletes the
default (coalesce mode only; merge mode keeps the nulls for a later coalesce); each enabled subchart gets a
section seeded from its own values.yaml, and `global` flows down with the parent winning. Helm 4.2 also
leaves out a chart's own null defaults when coalescing (`drop_default_nulls`), so `key: null` in values.yaml
no longer shows up as a key.
Go iterates maps in random order; the results do not depend on it, so we iterate in insertion order.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.goquote import quote
from wavecd.helm.chart import Chart
from wavecd.helm.helmlog import HelmLog

GLOBAL_KEY = "global"


def deep_copy(value: Any) -> Any:
    """copystructure.Copy for JSON-typed values (maps and lists copied, scalars shared).

    Values trees are mostly scalars: those are shared without a call (a chart's values are copied
    several times per render, so this is a measurable part of a warm render)."""
    if value.__class__ is dict:
        return {k: v if v.__class__ in _SHARED else deep_copy(v) for k, v in value.items()}
    if value.__class__ is list:
        return [v if v.__class__ in _SHARED else deep_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


_SHARED = frozenset((str, int, float, bool, type(None)))


def coalesce_values(
    chart: Chart, user: dict[str, Any] | None, log: HelmLog | None = None, drop_default_nulls: bool = False
) -> dict[str, Any]:
    """CoalesceValues: nulls from the user delete defaults; with `drop_default_nulls` (Helm 4.2) the nulls
    of the charts' own defaults are left out too."""
    return _Coalescer(False, log, drop_default_nulls).coalesce(chart, deep_copy(user or {}), "")


def merge_values(chart: Chart, user: dict[str, Any] | None, log: HelmLog | None = None) -> dict[str, Any]:
    """MergeValues: like coalesce, but nulls are kept."""
    return _Coalescer(True, log).coalesce(chart, deep_copy(user or {}), "")


class CoalesceError(Exception):
    """A user value that is not a table where a subchart's section must be one."""


_MISSING = object()


def _prefix(a: str, b: str) -> str:
    return b if not a else f"{a}.{b}"


def _v(value: Any) -> str:
    from wavecd.gotemplate.gofmt import format_value

    return format_value(value)


class _Coalescer:
    """One coalesce/merge pass; `log` receives Helm's warnings (coalesce.go line numbers of v3.17.2)."""

    def __init__(self, merge: bool, log: HelmLog | None, drop_default_nulls: bool = False):
        self.merge = merge
        self.log = log
        # Helm 4.2 cleans nulls out of a chart's defaults before they reach the values (coalesce only).
        self.clean_defaults = drop_default_nulls and not merge
        # Helm 3.17 coalesces tables without v4's care for nulls (see `_tables`).
        self.v3 = log is not None and log.helm_major < 4

    def _printf(self, line: int, message: str) -> None:
        if self.log is not None:
            self.log.printf(f"coalesce.go:{line}", message)

    def coalesce(self, chart: Chart, dest: dict[str, Any], prefix: str) -> dict[str, Any]:
        self._own(chart, dest, prefix)
        return self._deps(chart, dest, prefix)

    def _deps(self, chart: Chart, dest: dict[str, Any], prefix: str) -> dict[str, Any]:
        sub_prefix = _prefix(prefix, chart.name)
        for sub in chart.dependencies:
            name = sub.name
            section = dest.get(name, _MISSING)
            if section is _MISSING:
                section = dest[name] = {}
            elif not isinstance(section, dict):
                raise CoalesceError(f"type mismatch on {name}: {_bad_t(section)}")
            self._globals(section, dest, sub_prefix)
            dest[name] = self.coalesce(sub, section, sub_prefix)
        return dest

    def _globals(self, dest: dict[str, Any], src: dict[str, Any], prefix: str) -> None:
        """Copy the parent's `global` into a subchart section, parent winning, recursively for maps."""
        dg = dest.get(GLOBAL_KEY, _MISSING)
        if dg is _MISSING:
            dg = {}
        elif not isinstance(dg, dict):
            self._printf(138, "warning: skipping globals because destination global is not a table.")
            return
        sg = src.get(GLOBAL_KEY, _MISSING)
        if sg is _MISSING:
            sg = {}
        elif not isinstance(sg, dict):
            self._printf(145, "warning: skipping globals because source global is not a table.")
            return
        for key, val in sg.items():
            if isinstance(val, dict):
                vv = dict(val)
                if key not in dg:
                    dg[key] = vv
                elif isinstance(dg[key], dict):
                    self._tables(vv, dg[key], _prefix(prefix, key), True)
                    dg[key] = vv
                else:
                    self._printf(161, f"Conflict: cannot merge map onto non-map for {quote(key)}. Skipping.")
            elif isinstance(dg.get(key), dict):
                self._printf(175, f"key {key} is table. Skipping")
            else:
                dg[key] = val
        dest[GLOBAL_KEY] = dg

    def _own(self, chart: Chart, v: dict[str, Any], prefix: str) -> None:
        sub_prefix = _prefix(prefix, chart.name)
        defaults = deep_copy(chart.values)
        sub_names = {d.name for d in chart.dependencies}
        for key, val in defaults.items():
            if key in v:
                value = v[key]
                if value is None and not self.merge:
                    del v[key]
                elif isinstance(value, dict):
                    if isinstance(val, dict):
                        merge = self.merge or key in sub_names
                        if self.clean_defaults and not merge:
                            _drop_nulls(val)
                        self._tables(value, val, _prefix(sub_prefix, key), merge)
                    elif val is not None:
                        self._printf(237, f"warning: skipped value for {sub_prefix}.{key}: Not a table.")
            elif self.clean_defaults:
                if val is not None:
                    if isinstance(val, dict):
                        _drop_nulls(val)
                    v[key] = val
            else:
                v[key] = val

    def _tables(self, dst: dict[str, Any], src: dict[str, Any], prefix: str, merge: bool) -> dict[str, Any]:
        """coalesceTablesFullKey: fill dst from src; dst wins; nulls in dst delete (unless merging).

        Helm 4 first copies dst's nulls into src and deletes a key only when src had a value for it; Helm 3.17
        deletes any null dst key that src has, and warns when src has a table where dst says null.
        """
        if self.v3:
            src_non_nil = set(src)
        else:
            src_non_nil = {k for k, v in src.items() if v is not None}
            for key, val in dst.items():
                if val is None:
                    src[key] = None
        for key, val in src.items():
            if key not in dst:
                dst[key] = val
                continue
            dv = dst[key]
            if not merge and dv is None and key in src_non_nil:
                del dst[key]
            elif isinstance(val, dict):
                if isinstance(dv, dict):
                    self._tables(dv, val, _prefix(prefix, key), merge)
                else:
                    self._printf(
                        298, f"warning: cannot overwrite table with non table for {_prefix(prefix, key)} ({_v(val)})"
                    )
            elif isinstance(dv, dict) and val is not None:
                self._printf(
                    301,
                    f"warning: destination for {_prefix(prefix, key)} is a table. Ignoring non-table value ({_v(val)})",
                )
        return dst


def _drop_nulls(table: dict[str, Any]) -> None:
    """Delete null entries from a (copied) defaults table and from the tables inside it; lists are kept
    as they are, nulls included."""
    for key in [k for k, v in table.items() if v is None]:
        del table[key]
    for val in table.values():
        if isinstance(val, dict):
            _drop_nulls(val)


def _bad_t(value: Any) -> str:
    """fmt's `%t` of a non-bool value (Helm formats the offending value with it)."""
    if value is None:
        return "%!t(<nil>)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_bad_t(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{_bad_t(k)}:{_bad_t(value[k])}" for k in sorted(value)) + "]"
    return f"%!t({_go_type(value)}={_v(value)})"


def _go_type(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "[]interface {}"


def merge_tables(
    dst: dict[str, Any] | None, src: dict[str, Any] | None, log: HelmLog | None = None
) -> dict[str, Any] | None:
    """MergeTables: like CoalesceTables, keeping nulls."""
    if src is None:
        return dst
    if dst is None:
        return src
    return _Coalescer(True, log)._tables(dst, src, "", True)
