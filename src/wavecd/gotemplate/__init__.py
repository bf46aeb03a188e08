"""Go's text/template language: lexer, parser, compiler, executor, builtins and fmt verbs."""

from wavecd.gotemplate.errors import TemplateExecError, TemplateParseError
from wavecd.gotemplate.template_set import TemplateSet

__all__ = ["TemplateExecError", "TemplateParseError", "TemplateSet"]
