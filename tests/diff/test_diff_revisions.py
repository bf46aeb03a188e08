"""`wavecd diff ROOT --from REV` on the staging example committed to a private git repository: the four changes
a pull request brings there (a tag bump, a service added, an ApplicationSet element removed, a root wave moved),
each as a commit, compared as the reviewer would read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from support.gitops import git
from support.snapshot import committed_examples, copy_examples
from wavecd.cli.main import main

ROOT_VALUES = "ca-staging/root/values.yaml"
SEAT_VALUES = "ca-staging/values/apps/staging-webs/values-seat.yaml"
OLD_TAG, NEW_TAG = "2.3.5-b418", "2.3.6-b419"


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    """The staging example as the top of its own git repository, one commit on `main`."""
    return committed_examples(tmp_path)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text()
    assert text.count(old) == 1, (path, old)
    file.write_text(text.replace(old, new))


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def diff(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["diff", str(repo), *args])


def diff_json(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = diff(repo, *args, "-o", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def apps(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {app["name"]: app for app in doc["apps"]}


def test_no_change_is_exit_0(staging):
    code, doc = diff_json(staging, "--from", "main")
    assert (code, doc["differs"], doc["apps"]) == (0, False, [])
    assert doc["unchanged"] == 50  # the root, its 31 children and the ApplicationSets' 18 apps
    assert (doc["from"], doc["to"]) == (f"main ({git(staging, 'rev-parse', '--short=7', 'main')})", "working tree")


def test_a_tag_bump_changes_the_two_apps_its_values_file_feeds(staging):
    edit(staging, SEAT_VALUES, f'tag: "{OLD_TAG}"', f'tag: "{NEW_TAG}"')
    code, doc = diff_json(staging, "--from", "HEAD")
    assert code == 1
    assert sorted(apps(doc)) == ["loadtest-seat", "staging-seat"]  # loadtest layers over staging's file
    seat = apps(doc)["staging-seat"]
    assert (seat["change"], seat["wave"], seat["resourceWaves"]) == ("changed", {"from": 11, "to": 11}, [0])
    deployment = next(o for o in seat["objects"] if o["kind"] == "Deployment")
    assert (deployment["group"], deployment["namespace"], deployment["change"]) == ("apps", "staging-webs", "changed")
    image = "111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/backend/seat"
    assert f"-        image: {image}:{OLD_TAG}\n+        image: {image}:{NEW_TAG}\n" in deployment["diff"]
    assert deployment["diff"].startswith("--- a/apps/Deployment/staging-webs/seat\n+++ b/apps/Deployment/")

    # committed, the same change between two revisions; and nothing between the commit and the working tree
    sha = commit(staging, "seat: bump")
    code, doc = diff_json(staging, "--from", "HEAD~1", "--to", sha)
    assert (code, sorted(apps(doc))) == (1, ["loadtest-seat", "staging-seat"])
    assert diff_json(staging, "--from", "HEAD")[0] == 0


def test_an_added_service_is_a_new_app_and_a_new_element_of_its_set(staging):
    edit(
        staging,
        ROOT_VALUES,
        '      - name: auth-guard\n        wave: "10"\n      - name: queue\n        wave: "11"\n',
        '      - name: auth-guard\n        wave: "10"\n      - name: queue\n        wave: "11"\n'
        '      - name: refund\n        wave: "12"\n',
    )
    seat = (staging / SEAT_VALUES).read_text().replace("nameOverride: seat", "nameOverride: refund")
    (staging / SEAT_VALUES.replace("seat", "refund")).write_text(seat)
    code, doc = diff_json(staging, "--from", "HEAD")
    assert code == 1
    changed = apps(doc)
    assert set(changed) == {"root-staging", "staging-webs-services", "staging-refund"}
    refund = changed["staging-refund"]
    assert (refund["change"], refund["wave"]) == ("added", {"from": None, "to": 12})
    assert {o["kind"] for o in refund["objects"]} >= {"Deployment", "Service"}
    assert all(o["change"] == "added" for o in refund["objects"])
    generated = changed["staging-webs-services"]["objects"]
    assert [(o["kind"], o["name"], o["change"]) for o in generated] == [("Application", "staging-refund", "added")]
    root_objects = changed["root-staging"]["objects"]
    assert [(o["kind"], o["name"], o["change"]) for o in root_objects] == [
        ("ApplicationSet", "staging-webs-services", "changed")
    ]
    assert '+      - name: refund\n+        wave: "12"\n' in root_objects[0]["diff"]


def test_a_removed_applicationset_element_removes_its_app(staging):
    text = (staging / ROOT_VALUES).read_text()
    loadtest = text.index("  loadtest-webs-services:")
    element = '      - name: seat-v2\n        wave: "16"\n'
    assert text.index(element, loadtest) > loadtest
    at = text.index(element, loadtest)
    (staging / ROOT_VALUES).write_text(text[:at] + text[at + len(element) :])
    commit(staging, "loadtest: drop seat-v2")
    code, doc = diff_json(staging, "--from", "HEAD~1", "--to", "HEAD")
    assert code == 1
    changed = apps(doc)
    assert set(changed) == {"root-staging", "loadtest-webs-services", "loadtest-seat-v2"}
    gone = changed["loadtest-seat-v2"]
    assert (gone["change"], gone["wave"]) == ("removed", {"from": 16, "to": None})
    assert gone["objects"] and all(o["change"] == "removed" for o in gone["objects"])
    assert [(o["name"], o["change"]) for o in changed["loadtest-webs-services"]["objects"]] == [
        ("loadtest-seat-v2", "removed")
    ]


def test_a_changed_root_wave_moves_the_app_and_changes_its_application(staging):
    edit(staging, ROOT_VALUES, '    namespace: kafka\n    syncWave: "-5"', '    namespace: kafka\n    syncWave: "-4"')
    code, doc = diff_json(staging, "--from", "HEAD")
    assert code == 1
    changed = apps(doc)
    assert set(changed) == {"root-staging", "kafka"}
    assert changed["kafka"]["wave"] == {"from": -5, "to": -4}
    assert changed["kafka"]["objects"] == []  # its own manifests are the same
    (application,) = changed["root-staging"]["objects"]
    assert (application["kind"], application["name"], application["wave"]) == ("Application", "kafka", -4)
    assert '-    argocd.argoproj.io/sync-wave: "-5"\n+    argocd.argoproj.io/sync-wave: "-4"\n' in application["diff"]

    text = diff(staging, "--from", "HEAD")
    assert text.exit_code == 1
    assert "~ kafka  Application changed  tree wave -5 → -4" in text.stdout


def test_markdown_is_a_summary_table_then_one_section_per_app(staging):
    edit(staging, SEAT_VALUES, f'tag: "{OLD_TAG}"', f'tag: "{NEW_TAG}"')
    result = diff(staging, "--from", "HEAD", "-o", "markdown")
    assert result.exit_code == 1
    out = result.stdout
    assert "| app | status | tree wave | resource waves changed | added | changed | removed |" in out
    assert "| `loadtest-seat` | changed | 16 | 0 | 0 | 6 | 0 |" in out
    assert "| `staging-seat` | changed | 11 | 0 | 0 | 6 | 0 |" in out
    assert out.count("<details>") == out.count("</details>") == 2
    assert "<summary><b>staging-seat</b> (Application, changed)</summary>" in out
    assert "#### changed: apps/Deployment staging-webs/seat\n\n```diff\n--- a/apps/Deployment" in out


def test_bad_revisions_and_flags_are_one_line_and_exit_2(staging, tmp_path):
    result = diff(staging, "--from", "no-such-branch")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: --from/--to 'no-such-branch': no such revision in ")
    assert "Traceback" not in result.output

    assert diff(staging).exit_code == 2
    assert "give either --from REV" in diff(staging).stderr

    outside = copy_examples(tmp_path / "plain")  # not a git repository
    result = diff(outside, "--from", "HEAD")
    assert result.exit_code == 2
    assert "is not in a git repository: --from needs one" in result.stderr


def test_an_app_that_no_longer_renders_is_exit_2_and_named(staging):
    edit(staging, SEAT_VALUES, f'tag: "{OLD_TAG}"', "tag: [unclosed")
    result = diff(staging, "--from", "HEAD", "-o", "json")
    assert result.exit_code == 2
    broken = {app["name"]: app for app in json.loads(result.stdout)["apps"]}
    assert set(broken) == {"staging-seat", "loadtest-seat"}
    assert broken["staging-seat"]["errors"]["from"] is None
    assert "values-seat.yaml" in broken["staging-seat"]["errors"]["to"]
    assert (
        result.stderr == "Error: 2 app(s) failed to render, their objects not compared: loadtest-seat, staging-seat\n"
    )
