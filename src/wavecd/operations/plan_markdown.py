"""`wavecd plan -o markdown`: the rollout as a pull-request comment.

A summary table first — one row per tree wave, with its apps and object counts (and, against a cluster,
how many objects each wave creates, changes and deletes) — then one collapsible section per app with its
steps as a table. The comment is cut to a limit as `diff.comment` cuts it, between two rows of an app's
table, so the rollout's order always shows whole in the summary.
"""

from __future__ import annotations

from collections import Counter

from wavecd.diff.comment import DEFAULT_LIMIT, Section, fit_comment
from wavecd.operations.rollout_plan import ROOT_GATE, TREE_GATE, PlannedApp, PlannedObject, RolloutPlan

__all__ = ["markdown_plan"]

_CHANGES = ("create", "change", "delete", "unchanged")


def _cell(text: str) -> str:
    """Text inside a table cell: a `|` would end the cell, a newline the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _objects(app: PlannedApp) -> list[PlannedObject]:
    return [obj for step in app.steps for obj in step.objects] + list(app.sync_fail)


def _counts(apps: tuple[PlannedApp, ...], cluster: bool) -> str:
    objects = [obj for app in apps for obj in _objects(app)]
    if not cluster:
        return str(len(objects))
    changes = Counter(obj.change for obj in objects)
    return " | ".join(str(changes[change]) for change in _CHANGES)


def _summary(plan: RolloutPlan) -> str:
    cluster = plan.cluster is not None
    where = f"against `{plan.cluster}`" if cluster else "offline (no cluster: no create/change verdicts, no prunes)"
    columns = "create | change | delete | unchanged" if cluster else "objects"
    lines = [
        "## wavecd plan",
        "",
        f"Root `{plan.root.name}`, {where}. Each tree wave starts when {TREE_GATE}; the first when {ROOT_GATE}.",
        "",
        f"| tree wave | apps | {columns} |",
        "|---|---|" + "---:|" * len(columns.split(" | ")),
        f"| root | `{plan.root.name}` | {_counts((plan.root,), cluster)} |",
    ]
    for wave, apps in plan.waves:
        names = ", ".join(f"`{app.name}`" + (" (render error)" if app.error else "") for app in apps)
        lines.append(f"| {wave} | {names} | {_counts(apps, cluster)} |")
    return "\n".join([*lines, ""])


def _row(phase: str, wave: str, obj: PlannedObject, cluster: bool) -> str:
    name = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    cells = [phase, wave, obj.kind, f"`{name}`", obj.role, obj.gate, *([obj.change or ""] if cluster else [])]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |\n"


def _section(app: PlannedApp, wave: str, cluster: bool) -> Section:
    title = f"<details><summary><b>{app.name}</b> (tree wave {wave}"
    title += f", namespace {app.namespace})" if app.namespace else ")"
    head = title + "</summary>\n\n"
    if app.error:
        return Section(app.name, head + f"Render error: `{app.error.splitlines()[0]}`\n", (), "\n</details>\n")
    notes = []
    if app.children:
        notes.append(f"Declares (applied at their own tree waves): {', '.join(app.children)}.")
    if app.skipped:
        notes.append(f"Never applied (hook Skip): {', '.join(app.skipped)}.")
    if notes:
        head += "\n".join(notes) + "\n\n"
    rows = [_row(step.phase, str(step.wave), obj, cluster) for step in app.steps for obj in step.objects]
    rows += [_row("SyncFail", "-", obj, cluster) for obj in app.sync_fail]
    if not rows:
        return Section(app.name, head + "Nothing to apply.\n", (), "\n</details>\n")
    columns = "| phase | wave | kind | name | role | gate |" + (" change |" if cluster else "")
    head += columns + "\n" + "|---" * columns.count(" |") + "|\n"
    return Section(app.name, head, tuple(rows), "\n</details>\n")


def markdown_plan(plan: RolloutPlan, limit: int = DEFAULT_LIMIT) -> str:
    """The comment, at most `limit` characters long."""
    cluster = plan.cluster is not None
    sections = [_section(plan.root, "root", cluster)]
    sections += [_section(app, str(wave), cluster) for wave, apps in plan.waves for app in apps]
    return fit_comment(_summary(plan), sections, limit, what="plan", unit="row(s)", command="wavecd plan")
