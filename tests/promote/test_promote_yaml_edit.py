"""One value of a YAML file replaced and no other byte: quoting kept, comments and layout kept, a plain value
quoted only when Helm would otherwise read it as another type, and what cannot be edited alone refused."""

from __future__ import annotations

import pytest

from wavecd.core import UserInputError
from wavecd.promote.keypath import format_path, parse_key
from wavecd.promote.yaml_edit import set_scalar

VALUES = """\
# seat: the seat service  (a comment before)
image:   # the image
    name: backend/seat
    tag: '2.3.5'   # bumped by CI
    digest: "sha256:00"
replicas: 3
env:
    -   name: A
        value: plain text # trailing
flags: {debug: false}
"""


def edit(path: str, value: str, text: str = VALUES) -> str:
    return set_scalar(text, "values.yaml", parse_key(path), value)


def only_changed_line(before: str, after: str) -> tuple[str, str]:
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    assert len(old) == len(new)
    (changed,) = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    return changed


def test_each_quoting_style_is_kept_and_nothing_else_moves():
    assert only_changed_line(VALUES, edit("image.tag", "1.4.2")) == (
        "    tag: '2.3.5'   # bumped by CI\n",
        "    tag: '1.4.2'   # bumped by CI\n",
    )
    assert only_changed_line(VALUES, edit("image.digest", 'sha256:"x"')) == (
        '    digest: "sha256:00"\n',
        '    digest: "sha256:\\"x\\""\n',
    )
    assert only_changed_line(VALUES, edit("env[0].value", "other text")) == (
        "        value: plain text # trailing\n",
        "        value: other text # trailing\n",
    )
    assert only_changed_line(VALUES, edit("replicas", "5")) == ("replicas: 3\n", "replicas: 5\n")
    assert only_changed_line(VALUES, edit("flags.debug", "true")) == (
        "flags: {debug: false}\n",
        "flags: {debug: true}\n",
    )


def test_a_plain_string_is_quoted_when_helm_would_read_the_new_value_as_a_number():
    assert only_changed_line(VALUES, edit("env[0].value", "1.5")) == (
        "        value: plain text # trailing\n",
        '        value: "1.5" # trailing\n',
    )
    assert edit("image.name", "o'brien").count("name: o'brien\n") == 1


def test_windows_line_endings_stay():
    text = VALUES.replace("\n", "\r\n")
    out = edit("image.tag", "1.4.2", text)
    assert out == text.replace("'2.3.5'", "'1.4.2'")


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("a:\n  b: |\n    x\n", "a.b", "values.yaml:2: the value is a block scalar"),
        ("base: &b x\nother: *b\n", "other", "values.yaml:1: the value is behind an anchor, alias or tag"),
        ("a:\n  b: 1\n", "a", "values.yaml: a is a mapping, not one value"),
        ("a: 1\n", "b", "values.yaml: b is not set here"),
        ("a: 1\n---\nb: 2\n", "a", "values.yaml: holds 2 YAML documents"),
        ("a: [1\n", "a", "values.yaml: "),
        # `tag:` with nothing after it, last in the file and before another key: nothing to replace in place
        ("image:\n  tag:\n", "image.tag", "values.yaml: image.tag is empty (null), so there is no value to replace"),
        ("image:\n  tag:\n  pullPolicy: Always\n", "image.tag", "values.yaml: image.tag is empty (null)"),
    ],
)
def test_what_cannot_be_edited_alone_is_refused(text, path, message):
    with pytest.raises(UserInputError) as caught:
        set_scalar(text, "values.yaml", parse_key(path), "2")
    assert message in caught.value.message


def test_keys_read_as_helm_set_writes_them():
    assert parse_key("image.tag") == ("image", "tag")
    assert parse_key("env[1].value") == ("env", 1, "value")
    assert parse_key(r"annotations.eks\.amazonaws\.com/role-arn") == ("annotations", "eks.amazonaws.com/role-arn")
    assert format_path(("annotations", "eks.amazonaws.com/role-arn")) == r"annotations.eks\.amazonaws\.com/role-arn"
    for bad in ("", ".a", "a.", "[0]", "a[x]"):
        with pytest.raises(UserInputError):
            parse_key(bad)
