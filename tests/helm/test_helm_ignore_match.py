"""`.helmignore` rules and Go's filepath.Match, checked against behaviour observed with real helm.

The files-probe chart (tests/helm/charts/files-probe) was rendered by helm 3.17.2 and 4.1.4: the files it
lists (recorded in data/expected/files-default.*.json) are exactly the ones these rules keep.
"""

import pytest

from wavecd.helm.gobglob import glob_match
from wavecd.helm.gomatch import BadPattern, match
from wavecd.helm.helmignore import HelmIgnoreError, IgnoreRules

RULES = IgnoreRules.parse("# comment\n*.bak\n/build/\ndocs/*.md\nlogs/\nsecret?.txt\n[xy].txt\n")


@pytest.mark.parametrize(
    ("path", "is_dir", "ignored"),
    [
        ("conf/app.toml.bak", False, True),
        ("conf/app.toml", False, False),
        ("build", True, True),
        ("docs/readme.md", False, True),
        ("docs/guide.txt", False, False),
        ("logs", True, True),
        ("logs", False, False),
        ("secret1.txt", False, True),
        ("secret12.txt", False, False),
        ("x.txt", False, True),
        ("z.txt", False, False),
        ("templates/.hidden.yaml", False, True),
        ("templates/.hidden-dir", True, True),
        ("templates/ok.yaml", False, False),
    ],
)
def test_rules_like_helm(path: str, is_dir: bool, ignored: bool) -> None:
    assert RULES.ignored(path, is_dir) is ignored


def test_negation_ignores_everything_else() -> None:
    """Helm's `!p` ignores every path p does not match (it does not re-include)."""
    rules = IgnoreRules.parse("!keep.txt\n", with_defaults=False)
    assert rules.ignored("keep.txt", False) is False
    assert rules.ignored("other.txt", False) is True


def test_double_star_is_refused() -> None:
    with pytest.raises(HelmIgnoreError, match=r"^double-star \(\*\*\) syntax is not supported$"):
        IgnoreRules.parse("a/**/b\n")


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("templates/*", "templates/a.yaml", True),
        ("templates/*", "templates/sub/a.yaml", False),
        ("*.yaml", "a.yaml", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("[a-c]x", "bx", True),
        ("[^a-c]x", "dx", True),
        ("[^a-c]x", "bx", False),
        ("a\\*b", "a*b", True),
        ("templates/sub/*", "templates/sub/ns.yaml", True),
        ("[z-a]", "m", False),
    ],
)
def test_filepath_match(pattern: str, name: str, expected: bool) -> None:
    assert match(pattern, name) is expected


@pytest.mark.parametrize("pattern", ["[", "a[", "[]a]", "a\\", "[-a]"])
def test_filepath_match_bad_pattern(pattern: str) -> None:
    with pytest.raises(BadPattern):
        match(pattern, "x")


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("conf/**", "conf/sub/nested.yaml", True),
        ("conf/*", "conf/sub/nested.yaml", False),
        ("conf/*", "conf/app.toml", True),
        ("{z,x}.txt", "z.txt", True),
        ("conf/*.{toml,txt}", "conf/lines.txt", True),
        ("conf/*.{toml,txt}", "conf/blob.bin", False),
        ("[", "anything", True),
    ],
)
def test_files_glob(pattern: str, name: str, expected: bool) -> None:
    assert glob_match(pattern, name) is expected
