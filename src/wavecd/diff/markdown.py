"""A tree diff as a pull-request comment: a summary table, then one collapsible section per app.

The comment is cut to a limit as `diff.comment` cuts it (a section between two objects, so every fence
closes); the summary's own rows are cut first if even they do not fit in half of it.
"""

from __future__ import annotations

import re

from wavecd.diff.comment import DEFAULT_LIMIT, Section, fit_comment
from wavecd.diff.tree_diff import AppDiff, ObjectChange, TreeDiff

__all__ = ["DEFAULT_LIMIT", "markdown_report"]

_TITLE = "## wavecd diff"


def _wave(app: AppDiff) -> str:
    before = "-" if app.wave_before is None else str(app.wave_before)
    after = "-" if app.wave_after is None else str(app.wave_after)
    if app.change == "added":
        return after
    if app.change == "removed":
        return before
    return f"{before} → {after}" if app.wave_changed else after


def _status(app: AppDiff) -> str:
    if app.error_before or app.error_after:
        return "render error"
    return app.change


def _row(app: AppDiff) -> str:
    waves = ", ".join(str(w) for w in app.resource_waves) or "-"
    counts = " | ".join(str(app.count(change)) for change in ("added", "changed", "removed"))
    return f"| `{app.label}` | {_status(app)} | {_wave(app)} | {waves} | {counts} |"


def _summary(diff: TreeDiff, rows: list[str]) -> str:
    head = [
        _TITLE,
        "",
        f"From `{diff.before}` to `{diff.after}`: {len(diff.apps)} app(s) differ, {diff.unchanged} unchanged.",
        "",
    ]
    if not diff.apps:
        return "\n".join([*head, "No differences.", ""])
    table = [
        "| app | status | tree wave | resource waves changed | added | changed | removed |",
        "|---|---|---|---|---:|---:|---:|",
        *rows,
    ]
    return "\n".join([*head, *table, ""])


def _fence(text: str) -> str:
    """A fence longer than any run of backticks inside the diff, so the diff cannot close it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}diff\n{text.rstrip(chr(10))}\n{ticks}"


def _object(obj: ObjectChange) -> str:
    return f"#### {obj.change}: {obj.label}\n\n{_fence(obj.diff)}\n"


def _section_parts(app: AppDiff) -> tuple[str, tuple[str, ...], str]:
    notes: list[str] = []
    if app.wave_changed:
        notes.append(f"Tree wave {app.wave_before} → {app.wave_after}.")
    for side, error in (("from", app.error_before), ("to", app.error_after)):
        if error:
            notes.append(f"Render error ({side}): `{error.splitlines()[0]}`")
    notes += [f"Warning: {warning}" for warning in app.warnings]
    head = f"<details><summary><b>{app.label}</b> ({app.kind}, {_status(app)})</summary>\n\n"
    if notes:
        head += "\n".join(notes) + "\n\n"
    return head + "\n", tuple(_object(obj) + "\n" for obj in app.objects), "</details>\n"


def markdown_report(diff: TreeDiff, limit: int = DEFAULT_LIMIT) -> str:
    """The comment, at most `limit` characters long (counted as Python characters)."""
    rows = [_row(app) for app in diff.apps]
    summary = _summary(diff, rows)
    cut_rows = 0
    while len(summary) > limit // 2 and rows:
        rows.pop()
        cut_rows += 1
        summary = _summary(diff, [*rows, f"| … {cut_rows} more app(s) | | | | | | |"])
    sections = [Section(app.label, *_section_parts(app)) for app in diff.apps]
    return fit_comment(summary, sections, limit, what="diff", unit="object(s)", command="wavecd diff")
