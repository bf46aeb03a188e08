"""`rule_context(root_path, kube_version="1.31.0")`: the LintContext of the tree at `root_path`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lint_support import build_context

from wavecd.lint.model import LintContext


@pytest.fixture
def rule_context() -> Callable[..., LintContext]:
    return build_context
