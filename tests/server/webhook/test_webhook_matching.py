"""Which apps a push refreshes: the repository URL, the revision and manifest-generate-paths, each as a
table of cases after Argo CD's own tests of `GetWebURLRegex`, `sourceRevisionHasChanged` and
`AppFilesHaveChanged`, and the staging example's image bump."""

from __future__ import annotations

import pytest

from wavecd.apps.model import parse_application
from wavecd.server.webhook import PushEvent, TrackedApp, TrackedSource, affected_apps, tracked_app
from wavecd.server.webhook.matching import refresh_paths


def push(
    url: str = "https://github.com/org/repo",
    revision: str = "main",
    touched_head: bool = True,
    files: tuple[str, ...] | None = None,
) -> PushEvent:
    return PushEvent("github", (url,), revision, touched_head, files)


def app(repo_url: str = "https://github.com/org/repo", target: str = "main", path: str = "", paths=None):
    return TrackedApp("app", (TrackedSource(repo_url, target, path),), paths)


def refreshes(event: PushEvent, tracked: TrackedApp) -> bool:
    return affected_apps(event, [tracked]) == [tracked.name]


# (pushed web URL, an app's repoURL, whether the push is for that app)
URL_CASES = [
    ("https://example.com/org/a..d", "https://example.com/org/abcd", False),
    ("https://an.example.com/org/repo", "https://an-example.com/org/repo", False),
    ("https://example.com/org/repo", "https://example.com/org/repo", True),
    ("https://example.com/org/repo", "https://example.com/org/repo-2", False),
    ("https://example.com/org/repo", "https://example.com/org/repo.git", True),
    ("https://example.com/org/repo", "git@example.com:org/repo", True),
    ("https://example.com/org/repo", "git@example.com:org/repo.git", True),
    ("https://example.com/org/repo", "user@example.com:org/repo", True),
    ("https://example.com/org/repo", "ssh://git@example.com/org/repo", True),
    ("https://example.com/org/repo", "ssh://git@example.com:22/org/repo", True),
    ("https://example.com/org/repo", "http://example.com/org/repo", True),
    ("https://example.com/org/repo", "example.com/org/repo", True),
    ("https://example.com:443/org/repo", "ssh://git@example.com:22/org/repo", True),
    ("https://example.com:443/org/repo", "ssh://git@ssh.example.com:443/org/repo", True),
    ("https://example.com:443/org/repo", "ssh://git@altssh.example.com:443/org/repo", True),
    ("https://example.com:443/org/repo", "ssh://git@unknown.example.com:443/org/repo", False),
    ("https://example.com/org/repo", "ssh://user-name@example.com/org/repo", True),
    ("https://example.com/org/repo", "ssh://-user-name@example.com/org/repo", False),
    ("https://example.com/org/repo", "ssh://git@example.com/org/repo/sub", False),
    ("https://example.com/org/repo", "ssh://git@example.com/other/org/repo", False),
    ("https://example.com/org/repo", "ftp://example.com/org/repo", False),
    ("https://example.com/org/repo", "https://example.com.evil.io/org/repo", False),
    ("https://example.com/org/repo", "https://example.com/org/repo\n", False),
    ("https://example.com:443/org/repo", "GIT@EXAMPLE.COM:22:ORG/REPO", True),
    ("https://example.com/org/repo%20", "https://example.com/org/repo%20", True),
    ("https://example.com/org/repo", "https://example.com/org/repo.gitx", False),
    # A web URL Go's url.Parse refuses matches nothing.
    ("git@example.com:org/repo", "git@example.com:org/repo", False),
    ("https://example.com:port/org/repo", "https://example.com/org/repo", False),
]


@pytest.mark.parametrize("web_url, repo_url, expected", URL_CASES)
def test_a_push_is_matched_to_every_spelling_of_its_repository(web_url, repo_url, expected):
    assert refreshes(push(url=web_url), app(repo_url=repo_url)) is expected


def test_bitbucket_servers_ssh_clone_link_matches_an_ssh_repo_url():
    event = PushEvent(
        "bitbucket-server",
        ("ssh://git@bitbucket.example.com:7999/ops/deploy.git", "https://bitbucket.example.com/scm/ops/deploy.git"),
        "master",
        True,
        None,
    )
    assert refreshes(event, app("ssh://git@bitbucket.example.com:7999/ops/deploy.git", "master"))
    assert refreshes(event, app("https://bitbucket.example.com/scm/ops/deploy.git", "master"))
    assert not refreshes(event, app("https://bitbucket.example.com/scm/ops/other.git", "master"))


# (the source's targetRevision, the pushed revision, touched_head, refreshed)
REVISION_CASES = [
    ("", "master", True, True),
    ("", "master", False, False),
    ("HEAD", "master", True, True),
    ("HEAD", "feature", False, False),
    ("dev", "master", True, False),
    ("dev", "dev", False, True),
    ("refs/heads/dev", "master", True, False),
    ("refs/heads/dev", "dev", False, True),
    ("refs/tags/dev", "dev", False, True),
    ("env/test", "env/test", False, True),
    ("refs/heads/env/test", "env/test", False, True),
    ("refs/tags/env/test", "env/test", False, True),
    ("three/part/rev", "rev", False, False),
    ("1.*", "1.1.0", False, True),
    ("refs/tags/1.*", "1.1.0", False, True),
    ("1.*", "2.0.0", False, False),
    ("1.*", "dev", False, False),
    (">=1.2.0 <2.0.0", "v1.4.1", False, True),
    ("~1.2", "1.3.0", False, False),
    ("1.2.0", "v1.2.0", False, True),
    ("main", "Main", False, False),
]


@pytest.mark.parametrize("target, revision, touched_head, expected", REVISION_CASES)
def test_a_push_refreshes_the_sources_that_track_its_revision(target, revision, touched_head, expected):
    assert refreshes(push(revision=revision, touched_head=touched_head), app(target=target)) is expected


# (the annotation, the source's path, the repository-relative paths it names)
REFRESH_PATH_CASES = [
    (None, "src/app", []),
    ("", "src/app", []),
    (".;overlays/dev;../common", "src/app", ["src/app", "src/app/overlays/dev", "src/common"]),
    (".;;", "src/app", ["src/app"]),
    ("/abs/deploy;rel", "src/app", ["abs/deploy", "src/app/rel"]),
    (" /abs/deploy ; rel ", "src/app", ["abs/deploy", "src/app/rel"]),
    (". ;rel ;", "src/app", ["src/app", "src/app/rel"]),
    (" ; ; . ; ", "src/app", ["src/app"]),
    (".", "", ["."]),
    ("./x//y/", "src/app/", ["src/app/x/y"]),
    ("../../..", "src/app", [".."]),
]


@pytest.mark.parametrize("annotation, source_path, expected", REFRESH_PATH_CASES)
def test_the_annotation_names_paths_from_the_repository_root(annotation, source_path, expected):
    assert refresh_paths(annotation, source_path) == expected


# (the annotation, the source's path, the changed files, refreshed)
PATH_CASES = [
    (None, "apps/web", ("anything/else.yaml",), True),
    ("", "apps/web", ("anything/else.yaml",), True),
    (" ; ", "apps/web", ("anything/else.yaml",), True),
    (".", "apps/web", ("apps/web/values.yaml",), True),
    (".", "apps/web", ("apps/web/templates/deploy.yaml",), True),
    (".", "apps/web", ("apps/webby/values.yaml",), False),
    (".", "apps/web", ("apps/api/values.yaml",), False),
    (".", "", ("README.md",), True),
    ("..", "apps/web", ("apps/api/values.yaml",), True),
    ("../shared", "apps/web", ("apps/shared/lib.yaml",), True),
    ("../shared", "apps/web", ("apps/web/values.yaml",), False),
    ("/config/web.yaml", "apps/web", ("config/web.yaml",), True),
    ("/config/web.yaml", "apps/web", ("config/api.yaml",), False),
    ("/", "apps/web", ("README.md",), True),
    ("/config; .", "apps/web", ("apps/web/x.yaml",), True),
    ("/config; .", "apps/web", ("config/x/y.yaml",), True),
    ("/config;.", "apps/web", ("other/x.yaml",), False),
    ("/envs/*/web.yaml", "apps/web", ("envs/prod/web.yaml",), True),
    ("/envs/*/web.yaml", "apps/web", ("envs/prod/eu/web.yaml",), False),
    ("/envs/*.yaml", "apps/web", ("envs/prod.yaml",), True),
    ("/envs/[", "apps/web", ("envs/[",), True),
    ("/envs/[", "apps/web", ("envs/x",), False),
    (".", "apps/web", None, True),
    (".", "apps/web", (), True),
    (".", "apps/web", ("unrelated.yaml", "apps/web/values.yaml"), True),
]


@pytest.mark.parametrize("annotation, source_path, files, expected", PATH_CASES)
def test_manifest_generate_paths_narrow_a_refresh_to_pushes_that_touch_them(annotation, source_path, files, expected):
    assert refreshes(push(files=files), app(path=source_path, paths=annotation)) is expected


def test_one_touched_source_refreshes_an_app_once_and_others_keep_their_order():
    both = TrackedApp(
        "both",
        (
            TrackedSource("https://github.com/org/repo", "main", "a"),
            TrackedSource("git@github.com:org/repo.git", "main", "b"),
        ),
        None,
    )
    other_repo = TrackedApp("other", (TrackedSource("https://github.com/org/other", "main", "a"),), None)
    first = TrackedApp("first", (TrackedSource("https://github.com/org/repo", "HEAD", ""),), None)
    assert affected_apps(push(), [first, other_repo, both]) == ["first", "both"]


def _reads(node) -> str:
    """The annotation an app of the example would carry to name what it reads: its chart folder and its
    values files, from the repository root."""
    paths = [f"/{source.path}" for source in node.app.sources if source.path]
    for source in node.app.sources:
        if source.helm:
            paths += [f"/{file.removeprefix('$values/')}" for file in source.helm.value_files]
    return ";".join(paths)


SEAT_VALUES = "ca-staging/values/apps/staging-webs/values-seat.yaml"
STAGING_PUSH = PushEvent(
    "github",
    ("https://github.com/ca-platform/303-gitops",),
    "argocd-sync/staging",
    False,
    (SEAT_VALUES,),
)


def test_an_image_bump_in_the_staging_seat_values_refreshes_exactly_the_apps_that_read_them(example_tree):
    applications = [node for node in example_tree.nodes if node.app is not None]
    annotated = [
        TrackedApp(node.name, tracked_app(node.app).sources, _reads(node))
        for node in applications
        if node.kind == "Application"
    ]
    assert affected_apps(STAGING_PUSH, annotated) == ["loadtest-seat", "staging-seat"]

    # Without the annotation every app with a source on that repository and branch refreshes, as in
    # Argo CD: the ones whose chart comes from a registry too, through their `$values` source.
    plain = [tracked_app(node.app) for node in applications if node.kind == "Application"]
    assert len(affected_apps(STAGING_PUSH, plain)) == len(plain) > 40
    elsewhere = PushEvent("github", STAGING_PUSH.repo_urls, "main", True, (SEAT_VALUES,))
    assert affected_apps(elsewhere, plain) == []


def test_an_application_is_tracked_with_its_sources_and_annotation():
    application = parse_application(
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {
                "name": "web",
                "namespace": "argocd",
                "annotations": {"argocd.argoproj.io/manifest-generate-paths": ".;/shared"},
            },
            "spec": {
                "project": "default",
                "source": {"repoURL": "https://github.com/org/repo.git", "targetRevision": "main", "path": "apps/web"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "web"},
            },
        }
    )
    tracked = tracked_app(application)
    source = TrackedSource("https://github.com/org/repo.git", "main", "apps/web")
    assert tracked == TrackedApp("web", (source,), ".;/shared")
    assert affected_apps(push(files=("shared/x.yaml",)), [tracked]) == ["web"]
    assert affected_apps(push(files=("apps/api/x.yaml",)), [tracked]) == []
