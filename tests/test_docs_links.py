"""The project's own documents link only inside the repository, and every relative link resolves.

A clone is all a reader has: a link to a file that is missing, or to a path outside the repository (such as
the design notes the project started from), is a dead end. Links to web pages are left alone; a `#anchor`
into a Markdown file must name one of its headings, as GitHub derives them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    "README.md",
    "CONTRIBUTING.md",
    "bench/README.md",
    "examples/README.md",
    "deploy/chart/README.md",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")),
]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def links(text: str) -> list[str]:
    """Every link target of a Markdown text, leaving out code blocks and code spans."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    return _INLINE.findall(prose) + _REFERENCE.findall(prose)


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens,
    a repeated heading numbered."""
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*\s*$", _FENCE.sub("", text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def broken_links(document: Path, repo: Path) -> list[str]:
    """The relative links of `document` that leave `repo`, name nothing, or name a missing anchor."""
    problems = []
    for target in links(document.read_text(encoding="utf-8")):
        if _SCHEME.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        if path_part.startswith("/"):
            problems.append(f"{target}: an absolute path, not a link inside the repository")
            continue
        resolved = (document.parent / path_part).resolve() if path_part else document.resolve()
        if not resolved.is_relative_to(repo.resolve()):
            problems.append(f"{target}: leaves the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            problems.append(f"{target}: no heading with anchor #{anchor}")
    return problems


@pytest.mark.parametrize("name", DOCUMENTS)
def test_relative_links_resolve_inside_the_repository(name):
    document = REPO / name
    assert document.is_file(), f"{name} is missing"
    assert broken_links(document, REPO) == []


def test_a_link_outside_the_repository_or_to_nothing_is_reported(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "there.md").write_text("# Sync events\n")
    (tmp_path / "outside.md").write_text("# Outside\n")
    document = repo / "docs" / "page.md"
    document.write_text(
        "[fine](there.md#sync-events) [web](https://example.com/x.md) [self](#page)\n"
        "[gone](missing.md) [out](../../outside.md) [abs](/etc/hosts) [anchor](there.md#nope)\n"
        "`[code](nowhere.md)`\n\n```\n[fenced](nowhere.md)\n```\n\n# Page\n\n[ref]: ../../outside.md\n"
    )
    assert broken_links(document, repo) == [
        "missing.md: no such file",
        "../../outside.md: leaves the repository",
        "/etc/hosts: an absolute path, not a link inside the repository",
        "there.md#nope: no heading with anchor #nope",
        "../../outside.md: leaves the repository",
    ]
