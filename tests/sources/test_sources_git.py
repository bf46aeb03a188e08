"""Reading git repositories at a revision, against real repositories made with the git command."""

import subprocess

import pytest

from wavecd.sources.errors import SourceError
from wavecd.sources.git import GitRepo
from wavecd.sources.repourl import normalize_repo_url
from wavecd.sources.tree_ids import tree_ids


def git(path, *args):
    return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "t@example.com")
    git(path, "config", "user.name", "t")
    commits = {}
    for version in ("1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1"):
        (path / "VERSION").write_text(version)
        git(path, "add", "VERSION")
        git(path, "commit", "-q", "-m", version)
        git(path, "tag", "-a", f"v{version}", "-m", version)
        commits[version] = git(path, "rev-parse", "HEAD")
    git(path, "checkout", "-q", "-b", "argocd-sync/staging")
    (path / "VERSION").write_text("staging")
    git(path, "commit", "-q", "-am", "staging")
    commits["staging"] = git(path, "rev-parse", "HEAD")
    git(path, "checkout", "-q", "main")
    return GitRepo(path), commits


def test_branch_tag_sha_and_head_resolve_like_argo_cd(repo):
    gitrepo, commits = repo
    assert gitrepo.resolve("argocd-sync/staging") == commits["staging"]
    assert gitrepo.resolve("v1.2.0") == commits["1.2.0"]
    assert gitrepo.resolve("HEAD") == commits["2.0.0-rc.1"]
    assert gitrepo.resolve("") == commits["2.0.0-rc.1"]
    assert gitrepo.resolve(commits["1.0.0"]) == commits["1.0.0"]
    assert gitrepo.resolve(commits["1.0.0"][:10]) == commits["1.0.0"]


def test_semver_constraint_picks_the_highest_matching_tag_and_skips_prereleases(repo):
    gitrepo, commits = repo
    assert gitrepo.resolve(">=1.0.0 <2.0.0") == commits["1.10.0"]
    assert gitrepo.resolve("~1.2") == commits["1.2.0"]
    assert gitrepo.resolve("1.2.0", tag_prefix="v") == commits["1.2.0"]


def test_unknown_revision_names_the_revision_and_the_repository(repo):
    gitrepo, _ = repo
    with pytest.raises(SourceError, match="unable to resolve 'nope' to a commit SHA"):
        gitrepo.resolve("nope")


def test_files_are_read_at_the_revision_not_from_the_working_tree(repo, tmp_path):
    gitrepo, commits = repo
    (gitrepo.path / "VERSION").write_text("uncommitted")
    assert gitrepo.read(commits["1.2.0"], "VERSION") == b"1.2.0"
    assert gitrepo.files(commits["1.2.0"]) == ["VERSION"]
    gitrepo.export(commits["staging"], tmp_path / "tree")
    assert (tmp_path / "tree" / "VERSION").read_text() == "staging"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("https://github.com/Org/Repo.git", "https://github.com/org/repo"),
        ("git@github.com:org/repo.git", "https://github.com/org/repo/"),
        ("ssh://git@github.com/org/repo", "http://github.com/org/repo.git"),
    ],
)
def test_repo_urls_compare_after_normalisation(left, right):
    assert normalize_repo_url(left) == normalize_repo_url(right)


def test_different_repositories_stay_different():
    assert normalize_repo_url("https://github.com/org/repo") != normalize_repo_url("https://github.com/org/repo2")
    assert normalize_repo_url("https://GitHub.com/org/repo.git") == "github.com/org/repo"


def test_two_folders_of_one_commit_are_exported_apart_and_a_pin_reads_them_at_its_commit(repo, tmp_path):
    """A repository mapped at its top and one of its folders mapped as another repository: `git archive` in a
    folder exports only that folder, so each export is its own; a pin reads both at one commit."""
    from wavecd.sources.config import RepositoryMapping, WavecdConfig
    from wavecd.sources.resolver import SourceResolver

    gitrepo, commits = repo
    (gitrepo.path / "team").mkdir()
    (gitrepo.path / "team" / "VERSION").write_text("team")
    git(gitrepo.path, "add", "team")
    git(gitrepo.path, "commit", "-q", "-m", "team")
    config = WavecdConfig(
        repositories=(
            RepositoryMapping("https://example.com/top.git", gitrepo.path),
            RepositoryMapping("https://example.com/team.git", gitrepo.path / "team", worktree=True),
        )
    )
    resolver = SourceResolver(config, cache_dir=tmp_path / "cache")
    top = resolver.git_tree("https://example.com/top.git", "main")
    assert sorted(p.name for p in top.root.iterdir()) == ["VERSION", "team"]
    assert resolver.git_tree("https://example.com/team.git", "main").worktree  # as wavecd.yaml says

    resolver.pin(gitrepo.path, commits["1.2.0"])
    top = resolver.git_tree("https://example.com/top.git", "main")
    assert (top.revision, (top.root / "VERSION").read_text()) == (commits["1.2.0"], "1.2.0")
    with pytest.raises(SourceError, match="git archive"):  # the folder did not exist at that commit
        resolver.git_tree("https://example.com/team.git", "main")

    head = git(gitrepo.path, "rev-parse", "HEAD")
    resolver.pin(gitrepo.path, head)
    top, team = (resolver.git_tree(f"https://example.com/{name}.git", "main") for name in ("top", "team"))
    assert top.root != team.root
    assert (team.root / "VERSION").read_text() == "team" and (top.root / "team" / "VERSION").read_text() == "team"


def test_content_ids_name_what_a_path_holds_whatever_the_commit(tmp_path):
    path = tmp_path / "ids"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "app").mkdir()
    (path / "app" / "values.yaml").write_text("a: 1\n")
    (path / "other.txt").write_text("x\n")
    git(path, "add", "-A")
    git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one")
    first = git(path, "rev-parse", "HEAD")
    (path / "other.txt").write_text("y\n")
    (path / "link").symlink_to("app/values.yaml")
    git(path, "add", "-A")
    git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "two")
    second = git(path, "rev-parse", "HEAD")
    one, two = tree_ids(path, first), tree_ids(path, second)
    assert one is not None and two is not None
    # a folder and a file the commit did not touch keep their ids; git names them as `rev-parse` does
    assert one.content_id("app") == two.content_id("app") == git(path, "rev-parse", f"{first}:app")
    assert one.content_id("app/values.yaml") == two.content_id("app/values.yaml")
    assert one.content_id("other.txt") != two.content_id("other.txt")
    assert one.content_id("nope") == "missing"
    # the root now holds a symlink, whose target its id does not cover: the whole tree's id stands in
    assert two.content_id(".") == "tree:" + git(path, "rev-parse", f"{second}^{{tree}}")
    assert (one.has_links, two.has_links) == (False, True)
