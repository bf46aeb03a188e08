"""`.helmignore` rules (`pkg/ignore`), including Helm's unusual negation semantics.

Helm evaluates rules in order and stops at the first decision. A negated rule `!p` does not re-include a
file: it *ignores* every path that `p` does not match (and every non-directory when `p/` is dir-only).
That is what real Helm does, so it is what we do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wavecd.helm.gomatch import BadPattern, compile_pattern

DEFAULT_RULE = "templates/.?*"


class HelmIgnoreError(ValueError):
    """A rule Helm refuses; `str()` is Helm's message."""


@dataclass(frozen=True, slots=True)
class _Rule:
    """One line of `.helmignore`."""

    negate: bool
    dir_only: bool
    basename: bool
    regex: re.Pattern[str] | None
    """None when the pattern only breaks once `!`/`/` are stripped: Helm logs it and never matches."""

    @classmethod
    def of(cls, pattern: str, negate: bool, dir_only: bool, basename: bool) -> _Rule:
        try:
            regex: re.Pattern[str] | None = compile_pattern(pattern)
        except BadPattern:
            regex = None
        return cls(negate, dir_only, basename, regex)

    def matches(self, path: str) -> bool:
        if self.regex is None:
            return False
        return self.regex.match(path.rpartition("/")[2] if self.basename else path) is not None


class IgnoreRules:
    """An ordered rule list; `ignored(path, is_dir)` answers like `Rules.Ignore`."""

    def __init__(self, rules: list[_Rule] | None = None):
        self.rules: list[_Rule] = list(rules or [])
        self._answers: dict[tuple[str, bool], bool] = {}  # a chart re-read in one process asks the same again

    @classmethod
    def parse_shared(cls, text: str) -> IgnoreRules:
        """`parse(text)`, shared by every load of this process with the same rules text (read-only use)."""
        rules = _SHARED_RULES.get(text)
        if rules is None:
            if len(_SHARED_RULES) >= _SHARED_RULES_MAX:
                _SHARED_RULES.clear()
            rules = _SHARED_RULES[text] = cls.parse(text)
        return rules

    @classmethod
    def parse(cls, text: str, *, with_defaults: bool = True) -> IgnoreRules:
        rules = cls()
        text = text.removeprefix("\ufeff")
        for line in text.split("\n"):
            rules.add(line)
        if with_defaults:
            rules.add(DEFAULT_RULE)
        return rules

    def add(self, line: str) -> None:
        self._answers.clear()
        rule = line.strip()
        if not rule or rule.startswith("#"):
            return
        if "**" in rule:
            raise HelmIgnoreError("double-star (**) syntax is not supported")
        try:
            compile_pattern(rule)
        except BadPattern as exc:
            raise HelmIgnoreError(str(exc)) from None
        negate = rule.startswith("!")
        if negate:
            rule = rule[1:]
        dir_only = rule.endswith("/")
        if dir_only:
            rule = rule[:-1]
        if rule.startswith("/"):
            self.rules.append(_Rule.of(rule[1:], negate, dir_only, basename=False))
        else:
            self.rules.append(_Rule.of(rule, negate, dir_only, basename="/" not in rule))

    def ignored(self, path: str, is_dir: bool) -> bool:
        answer = self._answers.get((path, is_dir))
        if answer is None:
            if len(self._answers) >= _ANSWERS_MAX:
                self._answers.clear()
            answer = self._answers[path, is_dir] = self._decide(path, is_dir)
        return answer

    def _decide(self, path: str, is_dir: bool) -> bool:
        if path in ("", ".", "./"):
            return False
        for rule in self.rules:
            if rule.negate:
                if rule.dir_only and not is_dir:
                    return True
                if not rule.matches(path):
                    return True
                continue
            if rule.dir_only and not is_dir:
                continue
            if rule.matches(path):
                return True
        return False


_SHARED_RULES: dict[str, IgnoreRules] = {}
_SHARED_RULES_MAX = 256
_ANSWERS_MAX = 100_000
