"""The README's table of sync events documents every event type of `wavecd.sync.events` with every field."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

from wavecd.core import Event
from wavecd.sync import events

README = Path(__file__).resolve().parents[2] / "README.md"


def documented() -> dict[str, str]:
    """`event` name -> its fields cell, from the rows of the `### Sync events` table."""
    section = README.read_text(encoding="utf-8").split("### Sync events", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| [^|]* \| (.*) \|$", section, flags=re.MULTILINE)
    return {name: cell for name, cell in rows if cell != "fields"}  # not the header row


def test_every_event_type_and_field_is_in_the_readme_table():
    table = documented()
    types = [
        cls for _, cls in inspect.getmembers(events, inspect.isclass) if issubclass(cls, Event) and cls is not Event
    ]
    assert sorted(table) == sorted(cls.name for cls in types)
    for cls in types:
        cell = table[cls.name]
        missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in cell]
        assert not missing, f"{cls.name}: {missing}"
