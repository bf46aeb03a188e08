"""The example repository holds what the seed describes: its tree, waves, sets and stand-ins."""

import re

import pytest
from examples_repo import load_yaml, resolve_mirror

from support.paths import EXAMPLES, STAGING
from support.staging import SEED_TREE, SETS, WAVE_TABLE_ADDITIONS

# The root values' sections, by the kind of source the tree gives their entries.
SECTIONS = {"gitCharts": "git-chart", "ociCharts": "oci-chart", "applicationSets": "applicationset"}
OBJECT_KIND = {"git-chart": "Application", "oci-chart": "Application", "applicationset": "ApplicationSet"}

REPO_URL = "https://github.com/ca-platform/303-gitops.git"
REVISION = "argocd-sync/staging"
IN_CLUSTER = "https://kubernetes.default.svc"


def entries(root_values: dict) -> dict[str, tuple[str, int, dict]]:
    found = {}
    for section, kind in SECTIONS.items():
        for name, entry in root_values[section].items():
            assert name not in found, f"{name} is listed twice"
            found[name] = (kind, int(entry["syncWave"]), entry)
    return found


def value_file(ref: str):
    assert ref.startswith("$values/"), ref
    return STAGING / ref.removeprefix("$values/")


def referenced_values_files(root_values: dict, root_app: dict) -> list[str]:
    refs = list(root_app["spec"]["sources"][0]["helm"]["valueFiles"])
    refs += [
        ref
        for section in ("gitCharts", "ociCharts")
        for entry in root_values[section].values()
        for ref in entry["valueFiles"]
    ]
    for entry in root_values["applicationSets"].values():
        for service in entry["services"]:
            for folder in (entry.get("baseValuesDir"), entry["valuesDir"]):
                if folder:
                    refs.append(f"$values/{folder}/values-{service['name']}.yaml")
    return refs


def test_root_lists_the_seed_tree_and_the_wave_table_additions(root_values):
    listed = {name: (kind, wave) for name, (kind, wave, _) in entries(root_values).items()}
    expected = {name: (kind, wave) for name, kind, wave in SEED_TREE + WAVE_TABLE_ADDITIONS}
    assert listed == expected
    assert len(listed) == 33


def test_sync_waves_are_strings_argo_cd_parses_as_integers(root_values):
    for name, (_, _, entry) in entries(root_values).items():
        assert isinstance(entry["syncWave"], str), name
        assert re.fullmatch(r"[+-]?\d+", entry["syncWave"]), name


def test_seed_karpenter_example_is_kept_as_written(root_values):
    seed_example = {
        "repoURL": "public.ecr.aws/karpenter",
        "chart": "karpenter",
        "version": "1.11.1",
        "syncWave": "-8",
        "valueFiles": ["$values/ca-staging/values/infra/values-karpenter.yaml"],
    }
    karpenter = root_values["ociCharts"]["karpenter"]
    assert {key: karpenter[key] for key in seed_example} == seed_example


def test_root_application_is_multi_source_with_a_values_ref(root_app):
    assert root_app["kind"] == "Application"
    assert root_app["metadata"] == {
        "name": "root-staging",
        "namespace": "argocd",
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }
    chart_source, values_source = root_app["spec"]["sources"]
    assert chart_source["repoURL"] == values_source["repoURL"] == REPO_URL
    assert chart_source["targetRevision"] == values_source["targetRevision"] == REVISION
    assert (STAGING / chart_source["path"] / "Chart.yaml").is_file()
    assert values_source == {"repoURL": REPO_URL, "targetRevision": REVISION, "ref": "values"}
    for ref in chart_source["helm"]["valueFiles"]:
        assert value_file(ref).is_file(), ref
    assert root_app["spec"]["destination"] == {"server": IN_CLUSTER, "namespace": "argocd"}


def test_root_render_has_one_object_per_entry_with_its_wave(root_values, root_render):
    rendered = {doc["metadata"]["name"]: doc for doc in root_render}
    listed = entries(root_values)
    assert rendered.keys() == listed.keys()
    for name, (kind, wave, _) in listed.items():
        doc = rendered[name]
        assert doc["apiVersion"] == "argoproj.io/v1alpha1"
        assert doc["kind"] == OBJECT_KIND[kind]
        assert doc["metadata"]["namespace"] == "argocd"
        assert doc["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == str(wave)


def test_every_application_reads_its_values_from_the_repo(root_values, root_render):
    listed = entries(root_values)
    for doc in root_render:
        if doc["kind"] != "Application":
            continue
        kind, _, entry = listed[doc["metadata"]["name"]]
        chart_source, values_source = doc["spec"]["sources"]
        assert values_source == {"repoURL": REPO_URL, "targetRevision": REVISION, "ref": "values"}
        assert chart_source["helm"]["valueFiles"] == entry["valueFiles"]
        if kind == "git-chart":
            assert chart_source["repoURL"] == REPO_URL
            assert chart_source["path"] == entry["path"]
        else:
            assert (chart_source["repoURL"], chart_source["chart"]) == (entry["repoURL"], entry["chart"])
            assert chart_source["targetRevision"] == entry["version"]
        assert doc["spec"]["destination"] == {"server": IN_CLUSTER, "namespace": entry["namespace"]}
        assert doc["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}


def test_upstream_charts_are_written_as_argo_cd_writes_them(root_values):
    for name, entry in root_values["ociCharts"].items():
        assert not entry["repoURL"].startswith("oci://"), name
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), name


def test_every_values_file_an_app_names_exists(root_values, root_app):
    refs = referenced_values_files(root_values, root_app)
    assert len(refs) == 1 + 29 + 8 + 16
    missing = [ref for ref in refs if not value_file(ref).is_file()]
    assert missing == []


def test_no_values_file_is_left_unused(root_values, root_app):
    used = {value_file(ref).resolve() for ref in referenced_values_files(root_values, root_app)}
    present = {path.resolve() for path in (STAGING / "ca-staging" / "values").rglob("*.yaml")}
    assert sorted(map(str, present - used)) == []


def test_git_chart_paths_hold_charts(root_values):
    paths = [entry["path"] for entry in root_values["gitCharts"].values()]
    paths.append(root_values["serviceChart"]["path"])
    for path in paths:
        chart = load_yaml(STAGING / path / "Chart.yaml")
        assert chart["name"] == path.rsplit("/", 1)[1]


def test_application_sets_generate_the_seed_services_with_their_waves(root_render):
    sets = {doc["metadata"]["name"]: doc for doc in root_render if doc["kind"] == "ApplicationSet"}
    assert sets.keys() == SETS.keys()
    for name, (namespace, prefix, services) in SETS.items():
        spec = sets[name]["spec"]
        assert spec["goTemplate"] is True
        (generator,) = spec["generators"]
        assert generator["list"]["elements"] == [{"name": s, "wave": str(w)} for s, w in services]
        template = spec["template"]
        assert template["metadata"]["name"] == prefix + "-{{ .name }}"
        assert template["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "{{ .wave }}"}
        assert template["spec"]["destination"] == {"server": IN_CLUSTER, "namespace": namespace}
        chart_source, values_source = template["spec"]["sources"]
        assert chart_source["path"] == "common-charts/apps/java-service"
        assert chart_source["helm"]["releaseName"] == "{{ .name }}"
        assert chart_source["helm"]["valueFiles"][-1] == (
            f"$values/ca-staging/values/apps/{namespace}/values-{{{{ .name }}}}.yaml"
        )
        assert values_source["ref"] == "values"


def test_application_names_are_unique_across_the_tree(root_values):
    names = ["root-staging", *entries(root_values)]
    for _, prefix, services in SETS.values():
        names += [f"{prefix}-{service}" for service, _ in services]
    assert len(names) == len(set(names)) == 1 + 33 + 16
    assert {"staging-auth-guard", "loadtest-auth-guard", "loadtest-authz-adapter"} <= set(names)


def test_service_values_name_the_service(root_values):
    for entry in root_values["applicationSets"].values():
        if entry.get("baseValuesDir"):
            continue
        for service in entry["services"]:
            values = load_yaml(value_file(f"$values/{entry['valuesDir']}/values-{service['name']}.yaml"))
            assert values["nameOverride"] == service["name"]
            assert values["partOf"] == entry["namespace"]
            assert values["image"]["name"].endswith("/" + service["name"])


@pytest.mark.parametrize("name", [name for name, kind, _ in SEED_TREE + WAVE_TABLE_ADDITIONS if kind == "oci-chart"])
def test_every_upstream_chart_has_a_marked_stand_in(root_values, wavecd_config, name):
    entry = root_values["ociCharts"][name]
    folder = resolve_mirror(wavecd_config, entry["repoURL"], entry["chart"], entry["version"])
    chart = load_yaml(folder / "Chart.yaml")
    assert (chart["name"], chart["version"]) == (entry["chart"], entry["version"])
    assert chart["description"].startswith("wavecd stand-in for ")
    assert chart["description"].endswith(" — not the upstream chart")
    assert EXAMPLES / "mirror" in folder.resolve().parents


def test_wavecd_yaml_maps_the_repo_and_registries_to_local_folders(wavecd_config, root_app):
    assert (STAGING / wavecd_config["root"]).resolve() == (STAGING / "root-staging.yaml").resolve()
    (repository,) = wavecd_config["repositories"]
    assert repository["url"] == root_app["spec"]["sources"][0]["repoURL"]
    assert (STAGING / repository["path"]).resolve() == STAGING.resolve()
    assert repository["worktree"] is True
    for entry in wavecd_config["registries"]:
        assert (STAGING / entry["mirror"]).is_dir(), entry
    assert wavecd_config["render"] == {"helmCompat": "v4", "kubeVersion": "v1.33.0"}
    assert wavecd_config["clusters"] == [{"name": "in-cluster", "server": IN_CLUSTER}]


def test_make_demo_paths_exist():
    makefile = (EXAMPLES.parent / "Makefile").read_text(encoding="utf-8")
    paths = re.findall(r"(examples/\S+)", makefile)
    assert paths
    for path in paths:
        assert (EXAMPLES.parent / path).exists(), path
