"""`wavecd promote` on the staging example committed to a private git repository: CI's tag bump, by key and by
image name, with the preview of every app it reaches, the commit, a new branch and a push; and each refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support.gitops import git
from support.snapshot import committed_examples
from wavecd.cli.main import main

SEAT = "ca-staging/values/apps/staging-webs/values-seat.yaml"
LOADTEST_SEAT = "ca-staging/values/apps/loadtest-webs/values-seat.yaml"
OLD_LINE, NEW_LINE = '  tag: "2.3.5-b418"\n', '  tag: "1.4.2"\n'


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    return committed_examples(tmp_path, "argocd-sync/staging")


def promote(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["promote", str(repo), *args])


def test_a_tag_bump_edits_one_line_and_previews_both_apps_the_file_feeds(staging):
    before = (staging / SEAT).read_bytes()
    result = promote(staging, "--app", "staging-seat", "--set", "image.tag=1.4.2", "-o", "json")
    assert result.exit_code == 0, result.output
    after = (staging / SEAT).read_bytes()
    assert after == before.replace(OLD_LINE.encode(), NEW_LINE.encode())  # every other byte as it was
    doc = json.loads(result.stdout)
    assert doc["promoted"] == {
        "file": SEAT,
        "key": "image.tag",
        "from": "2.3.5-b418",
        "value": "1.4.2",
        "commit": None,
        "branch": None,
    }
    assert sorted(app["name"] for app in doc["apps"]) == ["loadtest-seat", "staging-seat"]
    assert f"{SEAT}: image.tag 2.3.5-b418 → 1.4.2" in result.stderr
    assert git(staging, "status", "--porcelain") == f"M {SEAT}"  # edited, not committed

    again = promote(staging, "--app", "staging-seat", "--set", "image.tag=1.4.2")
    assert again.exit_code == 2  # the file now has an uncommitted change
    assert "has uncommitted changes" in again.stderr


def test_by_image_name_on_the_app_that_layers_over_the_file_with_a_commit(staging):
    head = git(staging, "rev-parse", "HEAD")
    result = promote(staging, "--app", "loadtest-seat", "--image", "backend/seat=1.4.2", "--commit")
    assert result.exit_code == 0, result.output
    assert (staging / SEAT).read_text().count(NEW_LINE) == 1
    assert git(staging, "rev-parse", "HEAD~1") == head
    assert git(staging, "log", "-1", "--format=%s") == "promote loadtest-seat: image.tag=1.4.2"
    assert git(staging, "show", "--name-only", "--format=", "HEAD") == SEAT
    assert git(staging, "status", "--porcelain") == ""
    assert "~ loadtest-seat" in result.stdout and "~ staging-seat" in result.stdout


def test_a_new_branch_is_committed_and_pushed(staging, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(staging), str(remote))
    git(staging, "remote", "add", "origin", str(remote))
    result = promote(
        staging, "--app", "staging-seat", "--set", "image.tag=1.4.2", "--branch", "bump/seat-1.4.2", "--push"
    )
    assert result.exit_code == 0, result.output
    assert git(staging, "rev-parse", "--abbrev-ref", "HEAD") == "bump/seat-1.4.2"
    pushed = git(remote, "rev-parse", "refs/heads/bump/seat-1.4.2")
    assert pushed == git(staging, "rev-parse", "HEAD")
    assert git(remote, "show", f"{pushed}:{SEAT}").count("1.4.2") == 1
    assert git(remote, "rev-parse", "refs/heads/argocd-sync/staging") == git(staging, "rev-parse", "HEAD~1")


def test_refusals_leave_every_file_as_it_was(staging):
    def refused(*args: str) -> str:
        result = promote(staging, *args)
        assert result.exit_code == 2, result.output
        assert result.stdout == "" and "Traceback" not in result.output
        assert git(staging, "status", "--porcelain") == ""
        return result.stderr

    assert "image.digest is not set for app staging-seat in any of its value files" in refused(
        "--app", "staging-seat", "--set", "image.digest=sha256:0"
    )
    unknown = refused("--app", "nope", "--set", "image.tag=1")
    assert "no Application named 'nope' in the tree; it has: root-staging, " in unknown
    assert ", staging-seat, " in unknown
    assert "staging-webs-services is an ApplicationSet, not an Application" in refused(
        "--app", "staging-webs-services", "--set", "image.tag=1"
    )
    assert "no image 'backend/nope' among the values of app staging-seat" in refused(
        "--app", "staging-seat", "--image", "backend/nope=1"
    )
    assert "helm --set reads ',' as a second assignment" in refused(
        "--app", "staging-seat", "--set", "image.tag=1.4.2,replicaCount=3"
    )
    assert "--push pushes the commit" in refused("--app", "staging-seat", "--set", "image.tag=1", "--push")
    # a branch that exists already: the edit is put back and the checkout stays where it was
    existing = refused("--app", "staging-seat", "--set", "image.tag=1", "--branch", "argocd-sync/staging")
    assert "git switch -c failed" in existing and "already exists" in existing
    assert git(staging, "rev-parse", "--abbrev-ref", "HEAD") == "argocd-sync/staging"

    # the same key in the loadtest file too: two places for loadtest-seat, one (its own) for staging-seat
    with (staging / LOADTEST_SEAT).open("a") as fh:
        fh.write('\nimage:\n  tag: "2.3.5-b418"\n')
    git(staging, "commit", "-q", "-am", "loadtest pins its own tag")
    message = refused("--app", "loadtest-seat", "--set", "image.tag=1.4.2")
    assert (
        f"image.tag is set for app loadtest-seat in 2 places: {SEAT} (image.tag); {LOADTEST_SEAT} (image.tag)"
        in message
    )

    # a file with uncommitted edits is never touched, whatever else the edit would do
    (staging / SEAT).write_text((staging / SEAT).read_text() + "# local note\n")
    result = promote(staging, "--app", "staging-seat", "--set", "image.tag=1.4.2")
    assert result.exit_code == 2
    assert f"{SEAT} has uncommitted changes" in result.stderr
    assert (
        (staging / SEAT)
        .read_text()
        .endswith('"2.3.5-b418"\n' + (staging / SEAT).read_text().split('"2.3.5-b418"\n', 1)[1])
    )
