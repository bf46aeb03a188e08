"""Shared by the tests that replay real helm recordings: Sprig stand-ins, value typing, error texts."""

from __future__ import annotations

from wavecd.gotemplate import TemplateExecError, TemplateParseError
from wavecd.gotemplate.funcs import GoFunc
from wavecd.gotemplate.gotypes import Int64

GO = {"v3": (1, 23), "v4": (1, 25)}


def _trunc(c: int, s: str) -> str:
    if c < 0 and len(s) + c > 0:
        return s[len(s) + c :]
    if c >= 0 and len(s) > c:
        return s[:c]
    return s


def _add1(v: object) -> Int64:
    return Int64(int(v) + 1)  # type: ignore[call-overload]


SPRIG_STANDINS = {
    "upper": GoFunc("upper", str.upper, ("string",)),
    "trunc": GoFunc("trunc", _trunc, ("int", "string")),
    "add1": GoFunc("add1", _add1, ("interface {}",)),
}


def json_typed(v: object) -> object:
    """Values as Helm's templates see them: every number a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        return {str(k).lower() if isinstance(k, bool) else str(k): json_typed(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_typed(x) for x in v]
    return v


def helm_text(e: Exception) -> set[str]:
    """How helm prints our error: parse errors through helm's cleanup; exec errors raw or v4's layout."""
    if isinstance(e, TemplateParseError):
        tokens = e.message.split(": ")
        return {f"parse error at ({tokens[1]}): {tokens[-1]}"}
    assert isinstance(e, TemplateExecError)
    forms = {e.message}
    if e.file is not None:
        forms.add(f'{e.file}:{e.line}:{e.col}\n  executing "{e.template}" at <{e.node}>:\n    {e.detail}')
    return {f.rstrip() for f in forms}  # helm trims the end of what it prints
