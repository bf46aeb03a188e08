"""Templating of ApplicationSet strings: fasttemplate `{{name}}` or Go templates with Sprig.

Argo CD templates every string of the Application template, map keys included, one string at a time
(`applicationset/utils/utils.go`). Go-template mode parses each string as its own template named `base`,
so parsed strings are cached: the same template strings come back for every parameter set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from wavecd.apps.appset.errors import AppSetError

_IS_TEMPLATED = re.compile(r"\{\{.*\}\}")


def replace_fast(text: str, params: dict[str, Any]) -> str:
    """fasttemplate: a tag is replaced only when its trimmed name is a string parameter; else kept as is.

    Like Argo CD, only strings where `{{` and a later `}}` share a line are templated at all.
    """
    if not _IS_TEMPLATED.search(text):
        return text
    from wavecd.core.goquote import quote

    out: list[str] = []
    rest = text
    while (start := rest.find("{{")) >= 0:
        end = rest.find("}}", start + 2)
        if end < 0:
            raise AppSetError(
                f"invalid template: Cannot find end tag={quote('}}')} in the template={quote(text)} "
                f"starting from {quote(rest[start + 2 :])}"
            )
        tag = rest[start + 2 : end]
        value = params.get(tag.strip())
        out.append(rest[:start])
        out.append(value if tag.strip() and isinstance(value, str) else "{{" + tag + "}}")
        rest = rest[end + 2 :]
    out.append(rest)
    return "".join(out)


@lru_cache(maxsize=1)
def _functions() -> Any:
    from wavecd.apps.appset.functions import appset_functions

    return appset_functions()


@lru_cache(maxsize=8192)
def _parse(text: str, missingkey: str) -> Any:
    """One parsed template per (text, missingkey), shared by every ApplicationSet of the process."""
    from wavecd.gotemplate import TemplateParseError, TemplateSet

    template_set = TemplateSet(_functions().copy(), missingkey=missingkey, name="base")
    try:
        template_set.parse("base", text)
    except TemplateParseError as err:
        raise AppSetError(f"failed to parse template {text}: {err.message}") from None
    return template_set


class GoTemplateRenderer:
    """Go `text/template` with Argo CD's ApplicationSet function map and `goTemplateOptions`."""

    def __init__(self, options: list[str] | None = None):
        self.missingkey = "default"
        for option in options or []:
            key, _, value = option.partition("=")
            if key != "missingkey" or value not in ("default", "invalid", "zero", "error"):
                raise AppSetError(f"unrecognized option: {option}")
            self.missingkey = value

    def replace(self, text: str, params: dict[str, Any]) -> str:
        if "{{" not in text:
            return text  # a template without actions executes to its own text
        from wavecd.gotemplate import TemplateExecError
        from wavecd.gotemplate.errors import wavecd_bug

        template_set = _parse(text, self.missingkey)
        try:
            return template_set.execute("base", params)
        except TemplateExecError as err:
            bug = wavecd_bug(err)
            if bug is not None:
                raise bug from None
            raise AppSetError(f"failed to execute go template {text}: {err.message}") from None


def deep_replace(value: Any, replace: Callable[[str], str]) -> Any:
    """Apply `replace` to every string in `value`, map keys included; nil map entries are dropped, as in Go."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {replace(key): deep_replace(item, replace) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [deep_replace(item, replace) for item in value]
    return value
