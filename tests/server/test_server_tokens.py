"""Tokens are stored hashed in a private file and recognised by their hash; the CLI prints a new one once,
alone on the last line."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from wavecd.cli.serve_token_cmd import token
from wavecd.core import UserInputError
from wavecd.server.tokens import Role, TokenStore, default_tokens_path


def test_token_file_is_private_and_holds_no_token(tmp_path):
    path = tmp_path / "state" / "tokens.json"
    store = TokenStore(path)
    _, secret = store.create(Role.ADMIN)
    assert secret.startswith("wcd_") and len(secret) > 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    text = path.read_text()
    assert secret not in text and secret[4:] not in text and secret[4:20] not in text


def test_authenticate_knows_each_token_and_its_role(tmp_path):
    store = TokenStore(tmp_path / "tokens.json")
    admin_id, admin = store.create(Role.ADMIN)
    reader_id, reader = store.create(Role.READONLY)
    assert store.authenticate(admin).role is Role.ADMIN
    assert store.authenticate(admin).token_id == admin_id
    assert store.authenticate(reader).role is Role.READONLY
    assert store.authenticate(reader).username == f"token:{reader_id}"
    assert store.authenticate(admin + "x") is None
    assert store.authenticate("") is None


def test_a_token_created_elsewhere_is_accepted_without_restart(tmp_path):
    path = tmp_path / "tokens.json"
    serving = TokenStore(path)
    assert serving.authenticate("wcd_nothing") is None  # no file yet: nobody is let in
    _, secret = TokenStore(path).create(Role.READONLY)
    assert serving.authenticate(secret).role is Role.READONLY


def test_a_file_others_can_write_is_refused(tmp_path):
    path = tmp_path / "tokens.json"
    _, secret = TokenStore(path).create(Role.ADMIN)
    os.chmod(path, 0o622)
    with pytest.raises(UserInputError, match="nobody else can write"):
        TokenStore(path).authenticate(secret)


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WAVECD_STATE_DIR", str(tmp_path / "s"))
    assert default_tokens_path() == tmp_path / "s" / "tokens.json"
    monkeypatch.delenv("WAVECD_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "x"))
    assert default_tokens_path() == tmp_path / "x" / "wavecd" / "tokens.json"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert default_tokens_path() == tmp_path / "h" / ".local" / "state" / "wavecd" / "tokens.json"


def test_cli_prints_the_new_token_alone_on_the_last_line(tmp_path):
    path = tmp_path / "tokens.json"
    result = CliRunner().invoke(token, ["create", "--role", "readonly", "--tokens", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "created readonly token" in lines[0]
    assert lines[-1].startswith("wcd_") and " " not in lines[-1]
    assert TokenStore(path).authenticate(lines[-1]).role is Role.READONLY


def test_cli_refuses_an_unknown_role(tmp_path):
    result = CliRunner().invoke(token, ["create", "--role", "root", "--tokens", str(tmp_path / "t.json")])
    assert result.exit_code == 2
    assert "'root' is not one of 'readonly', 'admin'" in result.output
