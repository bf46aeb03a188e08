"""Proof: the web UI in a real headless Chromium, against `wavecd serve examples/staging --sim`.

Signing in shows the staging tree's 46 apps (the seed's tables in tests/support/staging.py say which, and
in which wave) and the waves −10 … 17; a readonly token sees no write button and a write it forces is
refused by the server; a tree sync started from the UI runs wave by wave to Healthy on the page, from the
stream, without a reload. Screenshots (1440×900) go to $WAVECD_SCREENSHOTS (see tests/support/browser.py).
"""

from __future__ import annotations

import json
import time

import pytest

from support.browser import Browser
from support.paths import STAGING
from support.serve import ServeProcess, create_token, synced_and_healthy
from support.staging import GENERATED, SEED_TREE, SETS, WAVE_TABLE_ADDITIONS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui-staging")]

ROOT = "root-staging"
# Every app of the tree and its tree wave, from the seed's tables (the root has none).
WAVES = {name: wave for name, kind, wave in SEED_TREE + WAVE_TABLE_ADDITIONS if kind != "applicationset"}
WAVES.update({name: wave for name, _, wave, _ in GENERATED})
ROWS = """return [...document.querySelectorAll('table.apps tbody tr')].filter((r) => !r.hidden)
    .map((r) => [r.dataset.app, r.cells[3].textContent])"""
COLUMNS = """return [...document.querySelectorAll('.board .wave')].map((c) => ({
    wave: Number(c.dataset.wave), state: c.dataset.state,
    apps: [...c.querySelectorAll('.card')].map((a) => a.dataset.app),
    sets: [...c.querySelectorAll('.appset')].map((s) => s.dataset.appset)}))"""


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory):
    """`wavecd serve examples/staging --sim`, rolled out once (every app is auto-synced), with an admin and a
    readonly token."""
    folder = tmp_path_factory.mktemp("ui-staging")
    serve = ServeProcess(STAGING, None, folder, "--sim", "--sim-speed", "1000", "--poll", "0")
    readonly = create_token(serve.tokens, "readonly")
    try:
        serve.start()
        serve.wait_for(
            "the first rollout", lambda apps: len(apps) == 46 and all(map(synced_and_healthy, apps.values()))
        )
        yield serve, readonly
    finally:
        serve.close()


def rows(browser: Browser) -> dict[str, str]:
    return dict(browser.js(ROWS))


def test_sign_in_shows_every_app_and_every_wave(staging, browser_factory):
    serve, _ = staging
    browser = browser_factory(serve.url)
    browser.open("/")
    browser.wait("the sign-in form", "return !!document.querySelector('#token')")
    browser.shot("01-sign-in")
    browser.sign_in("wcd_" + "x" * 43, accepted=False)
    refused = browser.wait("the refusal", "return document.querySelector('#signin-error').textContent")
    assert refused == "Sign-in refused: invalid session: the token is not one this server issued"

    browser.sign_in(serve.token)
    browser.wait("46 rows", "return document.querySelectorAll('table.apps tbody tr').length === 46")
    shown = rows(browser)
    assert shown == {ROOT: "—", **{name: str(wave) for name, wave in WAVES.items()}}
    counts = browser.js(
        "return [...document.querySelectorAll('.counts [data-count]')].map((c) => [c.dataset.count, c.textContent])"
    )
    assert counts == [["health:Healthy", "Healthy46"], ["sync:Synced", "Synced46"]]
    browser.shot("02-applications")

    browser.driver.find_element("css selector", "#f-name").send_keys("seat")
    browser.wait("the name filter", "return document.querySelector('.shown').textContent === '4 of 46 shown'")
    assert set(rows(browser)) == {"staging-seat", "staging-seat-v2", "loadtest-seat", "loadtest-seat-v2"}
    browser.choose("#f-wave", "11")
    assert set(rows(browser)) == {"staging-seat", "staging-seat-v2"}

    browser.go("#/tree")
    columns = browser.wait("the waves", COLUMNS.replace("return ", "const c = ", 1) + "; return c.length ? c : null")
    assert [c["wave"] for c in columns] == list(range(-10, 18))
    placed = {app: c["wave"] for c in columns for app in c["apps"]}
    assert placed == WAVES
    for column in columns:
        assert column["state"] == ("healthy" if column["apps"] else "none"), column
        assert set(column["sets"]) <= set(SETS)
    assert browser.js("return document.querySelector('.roots [data-app]').dataset.app") == ROOT
    browser.shot("03-tree-by-waves")

    browser.click("#signout")
    browser.wait("the sign-in form again", "return !!document.querySelector('#token')")
    assert browser.js("return sessionStorage.getItem('wavecd.token')") is None


def test_a_readonly_token_sees_no_write_button_and_a_forced_write_is_refused(staging, browser_factory):
    serve, readonly = staging
    browser = browser_factory(serve.url)
    browser.sign_in(readonly)
    assert browser.js("return document.querySelector('#who').textContent").endswith("· readonly")
    browser.go("#/tree")
    browser.wait("the waves", "return document.querySelectorAll('.board .wave').length === 28")
    assert browser.js("return document.querySelector('#sync-tree')") is None
    browser.go("#/app/kafka")
    browser.wait("the resource tree", "return document.querySelectorAll('.graph .node').length > 1")
    assert browser.js("return document.querySelectorAll('[data-action], #actions').length") == 0
    assert browser.js("return document.querySelector('.readonly-note').textContent") == "read-only token"
    browser.shot("04-app-readonly")

    before = serve.api.get("/api/v1/applications/kafka").json()
    for method, path in (
        ("POST", "/api/v1/applications/kafka/sync"),
        ("GET", "/api/v1/applications/kafka?refresh=hard"),
        ("DELETE", "/api/v1/applications/kafka/operation"),
    ):
        answer = browser.fetch(method, path)
        assert answer["status"] == 403, answer
        assert json.loads(answer["body"])["message"].startswith("permission denied: applications, ")
    after = serve.api.get("/api/v1/applications/kafka").json()
    assert "operation" not in after
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_a_tree_sync_from_the_ui_runs_wave_by_wave_to_healthy_live(staging, browser_factory):
    serve, _ = staging
    browser = browser_factory(serve.url)
    browser.sign_in(serve.token)
    browser.go("#/tree")
    browser.wait("the waves", "return document.querySelectorAll('.board .wave').length === 28")
    browser.js("window.notReloaded = true")
    history = {name: len(app["status"].get("history", [])) for name, app in serve.applications().items()}

    browser.click("#sync-tree")
    browser.confirm()

    running: list[int] = []  # the running wave, each time the page showed a new one
    shot = False
    deadline = time.monotonic() + 300
    while True:
        state = browser.js(
            "const r = document.querySelector('#running-wave'); return {running: r && r.textContent,"
            " columns: [...document.querySelectorAll('.board .wave')].map((c) => [c.dataset.wave, c.dataset.state])}"
        )
        if state["running"]:
            wave = int(state["running"].split()[1])
            if not running or running[-1] != wave:
                running.append(wave)
            if wave >= 10 and not shot:
                browser.shot("05-tree-sync-running")
                shot = True
        apps = serve.applications()
        done = all(synced_and_healthy(a) and len(a["status"].get("history", [])) > history[n] for n, a in apps.items())
        if done and not state["running"] and all(s in ("healthy", "none") for _, s in state["columns"]):
            break
        assert time.monotonic() < deadline, f"the tree sync did not finish: seen {running}, now {state}"
        time.sleep(0.1)
    browser.shot("06-tree-synced")
    assert browser.js("return window.notReloaded") is True
    assert running == sorted(running), running  # waves run in order, each only after the earlier ones
    assert len(running) >= 5, running  # the page followed the rollout, not just its end
    assert running[-1] >= 15, running
    banner = browser.js("return document.querySelector('.banner').textContent")
    assert banner == "No sync running. 46 of 46 apps Healthy, 46 Synced."
