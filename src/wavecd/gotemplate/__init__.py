"""Go's text/template language: lexer, parser, compiler, executor, builtins and fmt verbs."""
