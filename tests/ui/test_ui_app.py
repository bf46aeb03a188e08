"""Proof: one app in the web UI, in a real headless Chromium, against `wavecd serve` over `wavecd sim serve`.

`web` (no auto-sync) manages a Secret, a ConfigMap and a Deployment from a git repository. From the browser:
a sync, then its resource tree as a graph down to the Pod with each node's health; a commit that bumps the
image tag turns it OutOfSync and the Deployment's diff shows exactly that tag; someone changes the Secret in
the cluster and its manifests and diff show only masks (no value, raw or base64, reaches the page); a sync
and a rollback from the history put the first tag back in the cluster.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.browser import Browser
from support.gitops import Child, config_map, deployment, git, write_repo
from support.serve import ServeProcess
from support.sim_server import SimServer

pytestmark = pytest.mark.slow

PASSWORD = "pa55-in-git-3Kq"
CHANGED = "pa55-changed-live-8Wz"
MASK, MASK2 = "++++++++", "++++++++++++"
NAMESPACE = "shop"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def failing_hook() -> dict[str, Any]:
    """A PreSync hook Job whose pod fails (the sim's `outcome: fail`): the sync that runs it fails."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "migrate",
            "namespace": NAMESPACE,
            "annotations": {"argocd.argoproj.io/hook": "PreSync", "sim.wavecd.io/outcome": "fail"},
        },
        "spec": {
            "backoffLimit": 0,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}},
        },
    }


def commit(repo: Path, tag: str, *extra: dict[str, Any]) -> str:
    """The repository with `web`'s image at `tag` (and `extra` manifests), committed; the commit."""
    web = deployment("web", NAMESPACE)
    web["spec"]["template"]["spec"]["containers"][0]["image"] = f"example/app:{tag}"
    creds = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": NAMESPACE},
        "type": "Opaque",
        "data": {"password": b64(PASSWORD)},
    }
    manifests = [creds, config_map("settings", NAMESPACE), web, *extra]
    write_repo(repo, [Child("web", manifests, namespace=NAMESPACE)])
    root = yaml.safe_load((repo / "root.yaml").read_text())
    root["spec"]["syncPolicy"] = {"automated": {}}
    (repo / "root.yaml").write_text(yaml.safe_dump(root))
    config = yaml.safe_load((repo / "wavecd.yaml").read_text())
    config["repositories"][0]["worktree"] = False
    (repo / "wavecd.yaml").write_text(yaml.safe_dump(config))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"web at {tag}")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def served(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, "1.0.0")
    sim = SimServer(tmp_path, speed=50.0).start()
    serve = ServeProcess(repo / "root.yaml", sim.kubeconfig, tmp_path, "--poll", "1s")
    try:
        serve.start()
        serve.wait_for("web recorded", lambda apps: bool(apps["web"]["metadata"].get("resourceVersion")))
        yield repo, first, sim, serve
    finally:
        serve.close()
        sim.stop()


def badges(browser: Browser) -> list[str]:
    """The app's health, sync and last operation, as its header shows them."""
    return browser.js(
        "return [...document.querySelectorAll('.app-head .title-row > .badge')].map((b) => b.dataset.state)"
    )


def nodes(browser: Browser) -> dict[str, dict[str, Any]]:
    """The graph's nodes by `Kind/name`: their column (depth), health and text."""
    found = browser.js(
        "return [...document.querySelectorAll('.graph .node')].map((n) => ({kind: n.dataset.kind,"
        " name: n.dataset.name, depth: Number(n.dataset.depth), health: n.dataset.health, text: n.textContent}))"
    )
    return {f"{n['kind']}/{n['name']}": n for n in found}


def choose(browser: Browser, kind: str, name: str) -> None:
    """Choose a node of the graph and wait for the page to show it."""
    browser.click(f'.graph .node[data-kind="{kind}"][data-name="{name}"]')
    browser.wait(
        f"{kind} {name}",
        "return document.querySelector('.detail h2').textContent === arguments[0]",
        30,
        f"{kind} {NAMESPACE}/{name}",
    )


def show(browser: Browser, kind: str, name: str) -> dict[str, str]:
    """Choose a node of the graph: the live and desired manifests and the diff the page then shows."""
    choose(browser, kind, name)
    return browser.js(
        "return {live: document.querySelector('#live-manifest').textContent,"
        " desired: document.querySelector('#desired-manifest').textContent,"
        " diff: document.querySelector('#resource-diff').textContent}"
    )


def rolled_out(graph: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """The graph once it shows a Pod and the Deployment, its ReplicaSet and that Pod all Healthy."""
    chain = [node for key, node in graph.items() if key.split("/")[0] in ("Deployment", "ReplicaSet", "Pod")]
    pods = [node for node in chain if node["kind"] == "Pod"]
    return graph if pods and all(node["health"] == "Healthy" for node in chain) else None


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_one_app_its_tree_an_image_diff_a_masked_secret_a_sync_and_a_rollback(served, browser_factory):
    repo, first, sim, serve = served
    browser = browser_factory(serve.url)
    browser.sign_in(serve.token)
    # Nobody synced `web` yet: its wave is Missing (nothing of it exists), not Progressing (nothing moves).
    browser.go("#/tree")
    column = browser.wait(
        "web's wave",
        "const c = document.querySelector('.board .wave .card[data-app=web]');"
        " const w = c && c.closest('.wave'); return w && {state: w.dataset.state,"
        " label: w.getAttribute('aria-label'), text: w.querySelector('.wave-state').textContent}",
    )
    assert column == {"state": "missing", "label": "Wave 0: 1 apps, missing", "text": "Missing"}
    # The theme toggle turns the page dark (app.css's light-dark() colours) and back.
    background = "return getComputedStyle(document.body).backgroundColor"
    assert browser.js(background) == "rgb(245, 246, 248)"
    browser.click("#theme")
    assert browser.js(
        "return [document.documentElement.dataset.theme, document.querySelector('#theme').textContent]"
    ) == [
        "dark",
        "☀ Light",
    ]
    assert browser.js(background) == "rgb(14, 17, 23)"
    browser.shot("07a-tree-dark")
    browser.click("#theme")
    assert browser.js(background) == "rgb(245, 246, 248)"
    browser.go("#/app/web")
    browser.wait("the actions", "return !!document.querySelector('[data-action=sync]')")

    browser.click("[data-action=sync]")
    browser.confirm()
    browser.until("web synced", lambda: badges(browser) == ["Healthy", "Synced", "Succeeded"], 120)
    graph = browser.until("the rollout in the graph", lambda: rolled_out(nodes(browser)))
    replica_set = next(k for k in graph if k.startswith("ReplicaSet/web-"))
    pod = next(k for k in graph if k.startswith(f"Pod/{replica_set.split('/')[1]}-"))
    assert set(graph) == {"Application/web", "Secret/creds", "ConfigMap/settings", "Deployment/web", replica_set, pod}
    depth = {key: node["depth"] for key, node in graph.items()}
    assert depth == {
        "Application/web": 0,
        "Secret/creds": 1,
        "ConfigMap/settings": 1,
        "Deployment/web": 1,
        replica_set: 2,
        pod: 3,
    }
    assert graph["Deployment/web"]["health"] == graph[replica_set]["health"] == graph[pod]["health"] == "Healthy"
    browser.shot("07-app-resource-tree")

    with sim.client() as client:
        recorded = client.list("v1", "Event", NAMESPACE)
    for kind, name in (("Deployment", "web"), ("Pod", pod.split("/")[1])):
        choose(browser, kind, name)
        wanted = sorted(
            (e["reason"], e["message"])
            for e in recorded
            if (e["involvedObject"]["kind"], e["involvedObject"]["name"]) == (kind, name)
        )
        assert wanted, f"the sim recorded no events for {kind} {name}"
        shown_events = lambda want=wanted: sorted(map(tuple, browser.js(EVENTS))) == want  # noqa: E731
        browser.until(f"the events of {kind} {name}", shown_events)
    browser.shot("07b-app-pod-events")

    second = commit(repo, "1.1.0")
    browser.until("web OutOfSync at the new commit", lambda: badges(browser)[:2] == ["Healthy", "OutOfSync"], 60)
    browser.until("the Deployment marked OutOfSync", lambda: "OutOfSync" in nodes(browser)["Deployment/web"]["text"])
    shown = show(browser, "Deployment", "web")
    removed, added = changed_lines(shown["diff"])  # exactly one line out, one in: the tag
    assert removed.startswith("-") and removed.endswith(" image: example/app:1.0.0")
    assert added == "+" + removed[1:].replace("1.0.0", "1.1.0")
    assert "image: example/app:1.0.0" in shown["live"] and "image: example/app:1.1.0" in shown["desired"]
    browser.shot("08-app-diff-image-tag")

    with sim.client() as client:
        client.patch("v1", "Secret", "creds", {"data": {"password": b64(CHANGED)}}, namespace=NAMESPACE)
    browser.until("the Secret marked OutOfSync", lambda: "OutOfSync" in nodes(browser)["Secret/creds"]["text"])
    shown = show(browser, "Secret", "creds")
    assert f"password: {MASK}" in shown["desired"] and f"password: {MASK2}" in shown["live"]
    assert changed_lines(shown["diff"]) == [f"-  password: {MASK2}", f"+  password: {MASK}"]
    browser.shot("09-app-secret-masked")
    browser.click("#diff-mode")  # the API's diff of the whole objects
    full = browser.js("return document.querySelector('#resource-diff').textContent")
    assert f"-  password: {MASK2}\n" in full and f"+  password: {MASK}\n" in full
    page = browser.driver.page_source
    for value in (PASSWORD, CHANGED):
        for form in (value, b64(value), b64(value).rstrip("=")):
            assert form not in page

    browser.click("[data-action=sync]")
    browser.confirm()
    browser.until("two deployments in the history", lambda: browser.js(HISTORY) == [[1, second], [0, first]], 120)
    browser.click("tr[data-history='0'] [data-action=rollback]")
    browser.confirm()
    browser.until("the rollback deployed", lambda: browser.js(HISTORY) == [[2, first], [1, second], [0, first]], 120)
    browser.until("web synced", lambda: badges(browser)[0::2] == ["Healthy", "Succeeded"], 120)
    with sim.client() as client:
        live = client.get("apps/v1", "Deployment", "web", NAMESPACE)
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "example/app:1.0.0"
    browser.shot("10-app-rolled-back")


def test_a_failed_sync_is_said_at_the_top_of_the_app_page(served, browser_factory):
    """The history keeps only syncs that succeeded; the page says the last one failed, why, and which
    resource, as the API's operationState has it."""
    repo, _, _, serve = served
    failing = commit(repo, "1.0.0", failing_hook())
    browser = browser_factory(serve.url)
    browser.sign_in(serve.token)
    browser.go("#/app/web")
    browser.wait("the actions", "return !!document.querySelector('[data-action=sync]')")
    serve.wait_for("web at the new commit", lambda apps: apps["web"]["status"]["sync"].get("revision") == failing)
    browser.click("[data-action=sync]")
    browser.confirm()
    browser.until("the sync failed", lambda: badges(browser)[2:] == ["Failed"], 120)
    state = serve.applications(("web",))["web"]["status"]["operationState"]
    assert state["phase"] == "Failed" and "migrate" in state["message"]
    title = browser.wait(
        "the failure", "const t = document.querySelector('#last-failure .banner-title'); return t && t.textContent"
    )
    assert title.startswith("The last sync failed")
    assert f"revision {state['syncResult']['revision'][:8]}" in title and state["syncResult"]["revision"] == failing
    assert f"started by {state['operation']['initiatedBy']['username']}" in title
    message = browser.js("return document.querySelector('#last-failure .failure-message').textContent")
    assert message == state["message"]  # the operation's own words, whole
    assert browser.js("return document.querySelector('#last-failure').getAttribute('role')") == "alert"
    # The operation lists each resource it touched, as Argo CD's syncResult.resources does: the PreSync hook
    # failed, and the page names it with the API's message for it.
    results = state["syncResult"]["resources"]
    hook = next(r for r in results if r["kind"] == "Job" and r["name"] == "migrate")
    assert (hook["hookType"], hook["hookPhase"], hook["syncPhase"]) == ("PreSync", "Failed", "PreSync")
    assert [r for r in results if r.get("hookPhase") == "Failed" or r["status"] == "SyncFailed"] == [hook]
    listed = browser.js(
        "return [...document.querySelectorAll('#last-failure .failed-resources li')].map((l) => l.textContent)"
    )
    assert listed == [f"Job {NAMESPACE}/migrate: {hook['message']}"] and hook["message"]
    assert browser.js(HISTORY) == []  # not in the history, which holds only syncs that succeeded
    browser.shot("11-app-failed-sync")


EVENTS = """return [...document.querySelectorAll('#resource-events tr[data-reason]')].map((r) =>
    [r.dataset.reason, r.cells[2].textContent])"""
HISTORY = """return [...document.querySelectorAll('table.history tbody tr')].map((r) =>
    [Number(r.dataset.history), r.cells[1].title])"""
