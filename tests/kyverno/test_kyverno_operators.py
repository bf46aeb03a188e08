"""A resource scalar against a pattern scalar: Kyverno's value operators, ranges, quantities, durations and
wildcards. Expectations follow the rules of docs/kyverno.md, which cites Kyverno's `pattern.go` and
`operator.go` (../shared/reference/kyverno-validate.md §3); the oracle run (tools/kyverno_oracle.py) checks the
same code against Kyverno's own fixtures."""

import pytest

from wavecd.kyverno.operators import validate_value


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        # wildcards: `*` any run, `?` exactly one character, the whole text must match
        ("nginx:1.25", "nginx:*", True),
        ("nginx", "nginx:*", False),
        ("ab", "a?", True),
        ("a", "a?", False),
        ("", "?*", False),
        ("x", "?*", True),
        # `!` negates a wildcard
        ("nginx:latest", "!*:latest", False),
        ("nginx:1.25", "!*:latest", True),
        # comparisons of numbers, as numbers or numeric strings
        (6, ">5", True),
        (5, ">5", False),
        (5, ">=5", True),
        ("4", "<5", True),
        (5, "<=5", True),
        # `|` is or, `&` is and (spaces around terms are ignored)
        ("IfNotPresent", "Always | IfNotPresent", True),
        ("Never", "Always|IfNotPresent", False),
        (7, ">5 & <10", True),
        (12, ">5 & <10", False),
        # ranges are inclusive; `!-` is outside
        (3, "1-5", True),
        (5, "1-5", True),
        (6, "1-5", False),
        (6, "1!-5", True),
        (3, "1!-5", False),
        # a text that looks like a range is one
        ("10-20", "10-20", True),
        ("15", "10-20", True),
        ("abc", "10-20", False),
        # quantities: 1Gi is 1024Mi, and ranges of quantities work
        ("1024Mi", "1Gi", True),
        ("1500Mi", "<2Gi", True),
        ("3Gi", "<2Gi", False),
        ("256Mi", "128Mi-512Mi", True),
        ("1Gi", "128Mi-512Mi", False),
        ("500m", "<1", True),
        # durations
        ("90m", ">1h", True),
        ("30m", ">1h", False),
        ("1h30m", "90m", True),
        # null: a missing field compares as "0" to quantities and durations, and fails wildcards
        (None, "<5", True),
        (None, "0", True),
        (None, "?*", False),
        (None, "!x", False),
        # a null pattern matches empty values
        (None, None, True),
        ("", None, True),
        (0, None, True),
        (False, None, True),
        ("x", None, False),
        # booleans: a bool pattern needs a bool; a string pattern matches a bool's text
        (True, True, True),
        ("true", True, False),
        (True, "true", True),
        # numbers: an int matches only an integral pattern; a numeric string parses
        (3, 3, True),
        (3, 3.5, False),
        (3.5, 3.5, True),
        ("3", 3, True),
        (None, 0, False),
        # a map pattern only asks for a map
        ({"a": 1}, {}, True),
        ("x", {}, False),
    ],
)
def test_value_against_pattern(value: object, pattern: object, expected: bool) -> None:
    assert validate_value(value, pattern) is expected
