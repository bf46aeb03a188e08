"""Dependency handling as `helm template` does it: CheckDependencies and ProcessDependencies.

ProcessDependencies decides which subcharts exist for rendering: it matches loaded subcharts to Chart.yaml
entries (by name *and* version constraint), makes one copy per alias, applies `tags` then `condition` on the
coalesced values, drops the disabled ones, recurses, and finally applies `import-values` (merge mode, as
both Helm 3.17 and 4 do for install/template).
"""

from __future__ import annotations

import copy
from typing import Any

from wavecd.helm.chart import Chart, Dependency
from wavecd.helm.coalesce import coalesce_values, deep_copy, merge_tables, merge_values
from wavecd.helm.compat import HelmCompat
from wavecd.helm.helmlog import HelmLog
from wavecd.helm.values_path import NoValue, path_value, table


def is_compatible_range(constraint: str, version: str, lib: str) -> bool:
    """chartutil.IsCompatibleRange: false when either side does not parse (`lib`: Masterminds release)."""
    from wavecd.semver import SemverError, parse_constraints, parse_version

    try:
        return bool(parse_constraints(constraint, lib=lib).check(parse_version(version, lib=lib)))
    except SemverError:
        return False


def missing_dependencies(chart: Chart) -> list[str]:
    """Names declared in Chart.yaml with no loaded subchart of that name (version not considered)."""
    present = {d.name for d in chart.dependencies}
    return [r.name for r in chart.metadata.dependencies or () if r.name not in present]


def process_dependencies(chart: Chart, user_values: dict[str, Any], log: HelmLog, compat: HelmCompat) -> None:
    """Mutates `chart` in place: the dependency tree that will render, and import-values applied."""
    _process_enabled(chart, user_values, "", log, compat)
    _process_import_values_tree(chart, log)


def _alias_copy(charts: list[Chart], dep: Dependency, compat: HelmCompat) -> Chart | None:
    """getAliasDependency. Helm 4 copies the chart, its dependency entries and its subcharts; Helm 3 copies
    only the chart and its metadata, so the copy shares subcharts (and their parent) and dependency entries
    with the original — which decides where shared subcharts render and is reproduced as is."""
    for c in charts:
        if c.name != dep.name or not is_compatible_range(dep.version, c.metadata.version, compat.semver_lib):
            continue
        out = c.shallow_copy()
        if compat.major >= 4:
            if c.metadata.dependencies is not None:
                out.metadata.dependencies = [copy.copy(d) for d in c.metadata.dependencies]
            out.dependencies = []
            out.add_dependency(*[copy.copy(d) for d in c.dependencies])
        if dep.alias:
            out.metadata.name = dep.alias
        return out
    return None


def _process_enabled(chart: Chart, values: dict[str, Any], path: str, log: HelmLog, compat: HelmCompat) -> None:
    lib = compat.semver_lib
    reqs = chart.metadata.dependencies
    if reqs is None:
        return
    kept: list[Chart] = []
    for existing in chart.dependencies:
        declared = any(
            existing.name == r.name and is_compatible_range(r.version, existing.metadata.version, lib) for r in reqs
        )
        if not declared:
            kept.append(existing)
    for req in reqs:
        aliased = _alias_copy(chart.dependencies, req, compat)
        if aliased is not None:
            kept.append(aliased)
        if req.alias:
            req.name = req.alias
    chart.set_dependencies(kept)

    for req in reqs:
        req.enabled = True
    cvals = coalesce_values(chart, values, log, compat.drops_default_nulls)
    _apply_tags(reqs, cvals, log)
    _apply_conditions(reqs, cvals, path, log)
    removed = {r.name for r in reqs if not r.enabled}
    enabled_charts = [c for c in chart.dependencies if c.name not in removed]
    enabled_reqs = [r for r in reqs if r.name not in removed]
    for sub in enabled_charts:
        _process_enabled(sub, cvals, f"{path}{sub.name}.", log, compat)
    chart.metadata.dependencies = enabled_reqs or None
    chart.set_dependencies(enabled_charts)


def _apply_tags(reqs: list[Dependency], cvals: dict[str, Any], log: HelmLog) -> None:
    try:
        tags = table(cvals, "tags")
    except NoValue:
        return
    for r in reqs:
        has_true = has_false = False
        for k in r.tags:
            if k in tags:
                b = tags[k]
                if isinstance(b, bool):
                    if b:
                        has_true = True
                    else:
                        has_false = True
                else:
                    log.warn(
                        ("dependencies.go:94", f"Warning: Tag '{k}' for chart {r.name} returned non-bool value"),
                        "returned non-bool value",
                        tag=k,
                        chart=r.name,
                    )
        if not has_true and has_false:
            r.enabled = False
        else:
            r.enabled = True


def _apply_conditions(reqs: list[Dependency], cvals: dict[str, Any], path: str, log: HelmLog) -> None:
    for r in reqs:
        for cond in r.condition.strip().split(","):
            if not cond:
                continue
            try:
                value = path_value(cvals, path + cond)
            except NoValue:
                continue
            if isinstance(value, bool):
                r.enabled = value
                break
            text = f"Warning: Condition path '{cond}' for chart {r.name} returned non-bool value"
            log.warn(("dependencies.go:63", text), "returned non-bool value", path=cond, chart=r.name)


def _path_to_map(path: str, data: dict[str, Any]) -> dict[str, Any]:
    if path == ".":
        return data
    out: dict[str, Any] = data
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def _process_import_values(chart: Chart, log: HelmLog) -> None:
    if chart.metadata.dependencies is None:
        return
    cvals = merge_values(chart, None, log)
    imported: dict[str, Any] = {}
    for r in chart.metadata.dependencies:
        normalised: list[Any] = []
        for riv in r.import_values:
            if isinstance(riv, dict):
                child = _go_v(riv.get("child"))
                parent = _go_v(riv.get("parent"))
                normalised.append({"child": child, "parent": parent})
                try:
                    vv = table(cvals, f"{r.name}.{child}")
                except NoValue as exc:
                    text = f'"{exc.args[0]}" is not a table'
                    v3 = f"Warning: ImportValues missing table from chart {r.name}: {text}"
                    log.warn(
                        ("dependencies.go:269", v3), "ImportValues missing table from chart", chart=r.name, error=text
                    )
                    continue
                imported = merge_tables(imported, _path_to_map(parent, vv), log) or {}
            elif isinstance(riv, str):
                child = "exports." + riv
                normalised.append({"child": child, "parent": "."})
                try:
                    vm = table(cvals, f"{r.name}.{child}")
                except NoValue as exc:
                    text = f'"{exc.args[0]}" is not a table'
                    log.warn(
                        ("dependencies.go:286", f"Warning: ImportValues missing table: {text}"),
                        "ImportValues missing table",
                        error=text,
                    )
                    continue
                imported = merge_tables(imported, vm, log) or {}
        r.import_values = normalised
    chart.values = merge_tables(deep_copy(cvals), imported, log) or {}


def _go_v(value: Any) -> str:
    """fmt's %v for the scalar a user writes in import-values (nil prints `<nil>`)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    from wavecd.gotemplate.gofmt import format_value

    return format_value(value)


def _process_import_values_tree(chart: Chart, log: HelmLog) -> None:
    for d in chart.dependencies:
        _process_import_values_tree(d, log)
    _process_import_values(chart, log)
