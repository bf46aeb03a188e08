"""A pull-request comment cut to fit: GitHub refuses one over 65,536 characters.

The summary always stays; each section is added whole while it fits, a section that does not fit is cut
between two of its items with a line saying how many were cut, a section whose head and tail alone do not
fit is left out, and a closing note names every section cut short or left out. `wavecd diff -o markdown`
and `wavecd plan -o markdown` both build their comments with it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMIT", "Section", "fit_comment"]

DEFAULT_LIMIT = 65536
_ROOM_FOR_NOTE = 600  # kept free for the closing note while sections are added


@dataclass(frozen=True)
class Section:
    """One collapsible part of the comment: `head`, then `items` (cut between two of them), then `tail`,
    written one after the other as they are (a table's rows must follow each other without a blank line)."""

    name: str
    head: str
    items: tuple[str, ...]
    tail: str


def _names(names: list[str], shown: int = 15) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def fit_comment(summary: str, sections: list[Section], limit: int, *, what: str, unit: str, command: str) -> str:
    """`summary` and as much of `sections` as fits in `limit` characters. The notes say `what` was too long,
    how many `unit`s (plural, "object(s)") a cut section lost, and which `command` gives the whole of it."""
    parts = [summary]
    used = len(summary)
    budget = limit - _ROOM_FOR_NOTE
    cut: list[str] = []
    dropped: list[str] = []
    for section in sections:
        if used + len(section.head) + len(section.tail) > budget:
            dropped.append(section.name)
            continue
        kept = [section.head]
        size = len(section.head) + len(section.tail)
        for index, item in enumerate(section.items):
            if used + size + len(item) > budget:
                kept.append(f"\n_{len(section.items) - index} more {unit} cut to fit the comment._\n")
                cut.append(section.name)
                break
            kept.append(item)
            size += len(item)
        kept.append(section.tail)
        parts.append("".join(kept))
        used += size + 1
    notes = []
    if cut:
        notes.append(f"cut short: {_names(cut)}")
    if dropped:
        notes.append(f"left out: {_names(dropped)}")
    if notes:
        parts.append(
            f"⚠️ The {what} is longer than {limit} characters. "
            + "; ".join(notes)
            + f". Run `{command}` locally for the whole of it.\n"
        )
    text = "\n".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "\n"
