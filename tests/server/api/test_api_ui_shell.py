"""The web UI's static shell: served without a token (it holds no data), under a Content-Security-Policy
that allows no inline script and no other origin, with every file it loads present and typed right."""

from __future__ import annotations

import re

from api_fake import bearer

MODULE_IMPORT = re.compile(r'^import [^;]*? from "\./([\w-]+\.js)";', re.MULTILINE)


def test_the_shell_needs_no_token_and_carries_strict_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.DOTALL)
    assert scripts == [(' type="module" src="/ui/main.js"', "")]  # no inline script: the policy would block it


def test_every_file_the_shell_loads_is_served_with_its_type(client):
    """index.html's links and the ES modules' imports, followed from main.js: none is missing."""
    html = client.get("/").text
    wanted = set(re.findall(r'(?:src|href)="/ui/([\w.-]+)"', html))
    types = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
    seen: set[str] = set()
    while wanted - seen:
        name = sorted(wanted - seen)[0]
        seen.add(name)
        response = client.get(f"/ui/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(types[name.rsplit(".", 1)[1]]), name
        assert response.headers["x-content-type-options"] == "nosniff"
        if name.endswith(".js"):
            wanted |= set(MODULE_IMPORT.findall(response.text))
    assert {"main.js", "api.js", "store.js", "apps-page.js", "tree-page.js", "app-page.js", "app.css"} <= seen


def test_only_shipped_files_are_served(client):
    for path in ("/ui/nope.js", "/ui/..%2F..%2Fpyproject.toml", "/ui/__init__.py", "/ui/routes.py", "/ui/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "def " not in response.text


def test_userinfo_names_the_token_and_its_role(client, tokens):
    admin = client.get("/api/v1/session/userinfo", headers=bearer(tokens.admin))
    readonly = client.get("/api/v1/session/userinfo", headers=bearer(tokens.readonly))
    assert admin.status_code == readonly.status_code == 200
    assert admin.json()["loggedIn"] is True
    assert admin.json()["username"].startswith("token:")
    assert (admin.json()["wavecd"], readonly.json()["wavecd"]) == ({"role": "admin"}, {"role": "readonly"})
    stranger = client.get("/api/v1/session/userinfo", headers=bearer("wcd_" + "x" * 43))
    assert stranger.status_code == 401
    assert stranger.json()["message"] == "invalid session: the token is not one this server issued"
    assert client.get("/api/v1/session/userinfo").status_code == 401
