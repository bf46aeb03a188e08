"""`wavecd lint`: rules over a rendered tree and its plan, each with an ID, a slug and a page in docs/lint.md.

The rules are pure (`lint.rules`); `lint.runner` picks them, runs them and applies the suppressions of the
objects and of `wavecd.yaml`; `lint.output` writes the findings as text, JSON, SARIF or GitHub annotations.
"""

from wavecd.lint.model import Finding, LintContext, Location, ObjectRef, Rule, Severity
from wavecd.lint.runner import LintReport, lint_tree

__all__ = ["Finding", "LintContext", "LintReport", "Location", "ObjectRef", "Rule", "Severity", "lint_tree"]
