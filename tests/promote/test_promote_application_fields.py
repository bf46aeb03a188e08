"""`wavecd promote` where the parameter is set inside the Application itself — `helm.valuesObject` or
`helm.parameters` of an Application written as a file of the repository — and where it cannot be edited."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from support.gitops import REPO_URL, git, write_files
from wavecd.cli.main import main


def application(name: str, helm: str, *, head: str = "") -> str:
    """An Application over the repository's chart `web`, its `helm:` block written as given (indented 6)."""
    return f"""\
{head}apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: {REPO_URL}
    targetRevision: main
    path: charts/web
    helm:
{helm}  destination:
    server: https://kubernetes.default.svc
    namespace: web
"""


OBJECT_APP = application(
    "obj-app",
    '      valuesObject:\n        image:\n          tag: "1.0"   # CI bumps this\n',
    head="# obj-app: values inline\n",
)
PARAMETER_APP = application(
    "param-app",
    '      parameters:\n        - name: image.tag\n          value: "1.0"\n'
    '        - name: replicas\n          value: "2"\n',
)


def make_repo(repo: Path) -> Path:
    write_files(
        repo,
        {
            "wavecd.yaml": {"root": "root.yaml", "repositories": [{"url": REPO_URL, "path": ".", "worktree": True}]},
            "root.yaml": {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "root", "namespace": "argocd"},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": "apps"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
                },
            },
            "apps/obj.yaml": OBJECT_APP,
            "apps/param.yaml": PARAMETER_APP,
            "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
            "charts/web/values.yaml": 'image:\n  tag: "0"\n',
            "charts/web/templates/cm.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
                "data:\n  tag: {{ .Values.image.tag | quote }}\n"
            ),
        },
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "apps")
    return repo


def promote(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["promote", str(repo), *args, "-o", "json"])


def test_a_values_object_is_edited_in_the_application_file(tmp_path):
    repo = make_repo(tmp_path / "repo")
    result = promote(repo, "--app", "obj-app", "--set", "image.tag=1.1")
    assert result.exit_code == 0, result.output
    assert (repo / "apps/obj.yaml").read_text() == OBJECT_APP.replace('tag: "1.0"', 'tag: "1.1"')
    doc = json.loads(result.stdout)
    assert doc["promoted"]["file"] == "apps/obj.yaml"
    assert doc["promoted"]["key"] == "image.tag"
    changed = {app["name"]: app for app in doc["apps"]}
    assert set(changed) == {"root", "obj-app"}  # the root renders the Application file, obj-app the chart
    (config_map,) = changed["obj-app"]["objects"]
    assert '-  tag: "1.0"\n+  tag: "1.1"\n' in config_map["diff"]


def test_a_helm_parameter_is_edited_in_the_application_file(tmp_path):
    repo = make_repo(tmp_path / "repo")
    result = promote(repo, "--app", "param-app", "--set", "image.tag=1.1")
    assert result.exit_code == 0, result.output
    assert (repo / "apps/param.yaml").read_text() == PARAMETER_APP.replace('value: "1.0"', 'value: "1.1"')


def test_a_parameter_set_both_in_values_object_and_parameters_is_refused(tmp_path):
    repo = make_repo(tmp_path / "repo")
    comment = '          tag: "1.0"   # CI bumps this\n'
    both = OBJECT_APP.replace(
        comment, comment + '      parameters:\n        - name: image.tag\n          value: "1.0"\n'
    )
    (repo / "apps/obj.yaml").write_text(both)
    git(repo, "commit", "-q", "-am", "both")
    result = promote(repo, "--app", "obj-app", "--set", "image.tag=1.1")
    assert result.exit_code == 2
    assert (
        "image.tag is set for app obj-app in 2 places: the Application obj-app's valuesObject "
        "(spec.source.helm.valuesObject.image.tag); the Application obj-app's parameters "
        "(spec.source.helm.parameters[0].value)"
    ) in result.stderr
    assert (repo / "apps/obj.yaml").read_text() == both


SERVICES = f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: services
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: {REPO_URL}
        revision: main
        files:
          - path: "services/*.yaml"
  template:
""" + "".join(
    "    " + line if line else line
    for line in application(
        "'{{ .name }}'", "      parameters:\n        - name: image.tag\n          value: '{{ .image.tag }}'\n"
    )
    .replace("apiVersion: argoproj.io/v1alpha1\nkind: Application\n", "")
    .splitlines(keepends=True)
)
CART = '# cart: the checkout service\nname: cart\nimage:\n  tag: "1.0"   # bumped by CI\n'


def test_an_applicationset_files_generator_entry_is_edited_where_the_app_takes_it_from(tmp_path):
    repo = make_repo(tmp_path / "repo")
    write_files(
        repo,
        {
            "apps/services.yaml": SERVICES,
            "services/cart.yaml": CART,
            "services/shop.yaml": 'name: shop\nimage:\n  tag: "2.0"\n',
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "services")
    result = promote(repo, "--app", "cart", "--set", "image.tag=1.1")
    assert result.exit_code == 0, result.output
    assert (repo / "services/cart.yaml").read_text() == CART.replace('"1.0"', '"1.1"')
    doc = json.loads(result.stdout)
    assert doc["promoted"]["file"] == "services/cart.yaml"
    changed = {app["name"]: app for app in doc["apps"]}
    assert set(changed) == {"services", "cart"}
    assert [(o["kind"], o["name"]) for o in changed["services"]["objects"]] == [("Application", "cart")]

    # a value two files hold alike cannot be told apart by what it holds: refused
    git(repo, "checkout", "-q", ".")
    (repo / "services/shop.yaml").write_text('name: shop\nimage:\n  tag: "1.0"\n')
    git(repo, "commit", "-q", "-am", "shop on 1.0")
    result = promote(repo, "--app", "cart", "--set", "image.tag=1.1")
    assert result.exit_code == 2
    assert "comes from ApplicationSet services's files, and 2 values there read '1.0'" in result.stderr
