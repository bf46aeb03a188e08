"""A tree diff as a pull-request comment: a summary table, then one collapsible section per app.

GitHub refuses a comment over 65,536 characters, so the comment is cut to a limit: the summary always
stays (its rows cut first if even they do not fit), sections are added whole while they fit, a section
that does not fit is cut at an object boundary with its fences closed, and a note at the end names
every app whose diff was cut or left out.
"""

from __future__ import annotations

import re

from wavecd.diff.tree_diff import AppDiff, ObjectChange, TreeDiff

__all__ = ["DEFAULT_LIMIT", "markdown_report"]

DEFAULT_LIMIT = 65536
_TITLE = "## wavecd diff"
_ROOM_FOR_NOTE = 600  # kept free for the closing note while sections are added


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
    return f"| `{app.name}` | {_status(app)} | {_wave(app)} | {waves} | {counts} |"


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


def _section_parts(app: AppDiff) -> tuple[str, list[str], str]:
    notes: list[str] = []
    if app.wave_changed:
        notes.append(f"Tree wave {app.wave_before} → {app.wave_after}.")
    for side, error in (("from", app.error_before), ("to", app.error_after)):
        if error:
            notes.append(f"Render error ({side}): `{error.splitlines()[0]}`")
    notes += [f"Warning: {warning}" for warning in app.warnings]
    head = f"<details><summary><b>{app.name}</b> ({app.kind}, {_status(app)})</summary>\n\n"
    if notes:
        head += "\n".join(notes) + "\n\n"
    return head, [_object(obj) for obj in app.objects], "</details>\n"


def _names(names: list[str], shown: int = 15) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def markdown_report(diff: TreeDiff, limit: int = DEFAULT_LIMIT) -> str:
    """The comment, at most `limit` characters long (counted as Python characters)."""
    rows = [_row(app) for app in diff.apps]
    summary = _summary(diff, rows)
    cut_rows = 0
    while len(summary) > limit // 2 and rows:
        rows.pop()
        cut_rows += 1
        summary = _summary(diff, [*rows, f"| … {cut_rows} more app(s) | | | | | | |"])
    parts = [summary]
    used = len(summary)
    budget = limit - _ROOM_FOR_NOTE
    cut: list[str] = []
    dropped: list[str] = []
    for app in diff.apps:
        head, objects, tail = _section_parts(app)
        if used + len(head) + len(tail) > budget:
            dropped.append(app.name)
            continue
        section = [head]
        size = len(head) + len(tail)
        for index, obj in enumerate(objects):
            if used + size + len(obj) > budget:
                section.append(f"_{len(objects) - index} more object(s) cut to fit the comment._\n")
                cut.append(app.name)
                break
            section.append(obj)
            size += len(obj)
        section.append(tail)
        parts.append("\n".join(section))
        used += size + len(section)
    notes = []
    if cut:
        notes.append(f"cut short: {_names(cut)}")
    if dropped:
        notes.append(f"left out: {_names(dropped)}")
    if notes:
        parts.append(
            f"⚠️ The diff is longer than {limit} characters. "
            + "; ".join(notes)
            + ". Run `wavecd diff` locally for the whole of it.\n"
        )
    text = "\n".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "\n"
