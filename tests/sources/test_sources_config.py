"""wavecd.yaml loading and folder mirrors, on the shipped example and on broken files."""

import pytest

from support.paths import STAGING
from wavecd.core import UserInputError
from wavecd.sources.config import find_config, load_config
from wavecd.sources.errors import SourceError
from wavecd.sources.resolver import SourceResolver


def test_the_example_config_maps_the_seed_repo_and_the_registries():
    config = load_config(STAGING / "wavecd.yaml")
    assert config.root == STAGING / "root-staging.yaml"
    assert config.repositories[0].worktree is True
    assert config.render.helm_compat == "v4"
    assert find_config(STAGING / "ca-staging" / "root") == STAGING / "wavecd.yaml"


def test_a_chart_is_found_in_its_folder_mirror_by_name_and_version(tmp_path):
    resolver = SourceResolver(load_config(STAGING / "wavecd.yaml"), offline=True, cache_dir=tmp_path)
    found = resolver.chart("public.ecr.aws/karpenter", "karpenter", "1.11.1")
    assert found.path.name == "karpenter" and (found.path / "Chart.yaml").is_file()
    with pytest.raises(SourceError, match=r"chart karpenter 9\.9\.9 from public.ecr.aws/karpenter"):
        resolver.chart("public.ecr.aws/karpenter", "karpenter", "9.9.9")


def test_worktree_mapping_reads_the_folder_and_records_the_revision():
    resolver = SourceResolver(load_config(STAGING / "wavecd.yaml"))
    tree = resolver.git_tree("https://GitHub.com/ca-platform/303-gitops", "argocd-sync/staging")
    assert tree.worktree and tree.root == STAGING and tree.revision == "argocd-sync/staging"


def test_unmapped_repository_says_how_to_map_it():
    resolver = SourceResolver(load_config(STAGING / "wavecd.yaml"))
    with pytest.raises(SourceError, match="--repo URL=PATH"):
        resolver.git_tree("https://example.com/other.git", "HEAD")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("repositories: {url: x}\n", "repositories must be a list"),
        ("root: [\n", "not valid YAML"),
        ("lint:\n  disabled: [WCD101]\n", ":2: lint: unknown key 'disabled'"),
        ("lint:\n  severity:\n    WCD101: fatal\n", ":3: lint.severity.WCD101 must be one of error, warning, note"),
        ("lint:\n  disable: WCD101\n", ":2: lint.disable must be a list"),
        ("lint:\n  policy:\n    enabled: maybe\n", ":3: lint.policy.enabled must be true or false"),
    ],
)
def test_bad_config_gives_a_clear_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "wavecd.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as err:
        load_config(path)
    assert str(path) in err.value.message and message in err.value.message


def test_helm_42_is_a_render_mode(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text("render: {helmCompat: v4.2}\n")
    assert load_config(path).render.helm_compat == "v4.2"


def test_the_kustomize_section(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text("kustomize:\n  path: bin/kustomize\n  buildOptions: --enable-helm\n  timeout: 2m\n")
    kustomize = load_config(path).kustomize
    assert kustomize.path == str(tmp_path / "bin" / "kustomize")  # relative to wavecd.yaml
    assert (kustomize.build_options, kustomize.timeout) == ("--enable-helm", 120.0)
    path.write_text("kustomize:\n  path: kustomize\n")
    assert load_config(path).kustomize.path == "kustomize"  # a bare name is looked up on PATH
    path.write_text("kustomize:\n  buildOption: --enable-helm\n")
    with pytest.raises(UserInputError, match="kustomize: unknown key 'buildOption'"):
        load_config(path)


def test_kustomize_versions_name_a_binary_each(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text("kustomize:\n  versions:\n    v4.5.7: bin/kustomize-4\n    v3.5.4: kustomize3\n")
    assert load_config(path).kustomize.versions == (
        ("v4.5.7", str(tmp_path / "bin" / "kustomize-4")),
        ("v3.5.4", "kustomize3"),
    )
    for bad in (
        "kustomize:\n  versions: [v4]\n",
        "kustomize:\n  versions:\n    v4: 4\n",
        "kustomize:\n  versions:\n    5.10: k\n",
    ):
        path.write_text(bad)
        with pytest.raises(UserInputError, match=r"kustomize\.versions"):
            load_config(path)


def test_a_plugin_entry_in_argo_cds_shape(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        "plugins:\n"
        "  - metadata: {name: p}\n"
        "    spec:\n"
        "      version: v2\n"
        "      init: {command: [sh, -c], args: [make]}\n"
        "      generate: {command: [sh, -c], args: [cat all.yaml]}\n"
        "      discover: {find: {command: [sh, -c], args: [ls *.tmpl]}}\n"
    )
    [plugin] = load_config(path).plugins
    assert (plugin.name, plugin.version) == ("p", "v2")
    assert plugin.init == ("sh", "-c", "make") and plugin.generate == ("sh", "-c", "cat all.yaml")
    assert plugin.discover_command == ("sh", "-c", "ls *.tmpl") and plugin.has_discovery
    path.write_text("plugins:\n  - spec: {generate: {command: [x]}}\n")
    with pytest.raises(UserInputError, match=r"plugins\[0\]\.metadata\.name is required"):
        load_config(path)


def test_the_lint_section_keeps_each_rule_with_its_line(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        "root: root.yaml\nlint:\n  disable: [WCD206]\n  severity:\n    WCD202: note\n"
        "  policy:\n    enabled: false\n    WCD401: true\n"
    )
    lint = load_config(path).lint
    assert [(e.rule, e.line) for e in lint.disable] == [("WCD206", 3)]
    assert [(e.rule, e.line, e.value) for e in lint.severity] == [("WCD202", 5, "note")]
    assert lint.policy_enabled is False
    assert [(e.rule, e.line, e.value) for e in lint.policy] == [("WCD401", 8, "true")]
