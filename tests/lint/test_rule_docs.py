"""Every rule has its section in docs/lint.md, headed by its
slug (the anchor SARIF's `helpUri` and the text output point at), opening with its ID."""

from __future__ import annotations

import re

from support.paths import TESTS
from wavecd.lint.rules import ALL_RULES

PAGE = (TESTS.parent / "docs" / "lint.md").read_text()
SECTIONS = dict(re.findall(r"^### ([a-z0-9-]+)\n\n\*\*(WCD\d{3})", PAGE, flags=re.M))


def test_each_rule_has_a_section_headed_by_its_slug_that_names_its_id():
    rules = ALL_RULES
    assert {rule.slug: rule.id for rule in rules} == SECTIONS
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.slug) for rule in rules)
