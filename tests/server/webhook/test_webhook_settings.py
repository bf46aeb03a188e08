"""The `webhook:` section of wavecd.yaml: secrets written in it or named from the environment, the payload
cap, and a clear refusal (file and key) for anything malformed — a typo must not silently turn a check off."""

from __future__ import annotations

import pytest

from support.paths import STAGING
from wavecd.core import UserInputError
from wavecd.sources.config import WebhookSettings, load_config


def write(tmp_path, text: str):
    path = tmp_path / "wavecd.yaml"
    path.write_text(text)
    return path


def test_without_a_webhook_section_nothing_is_checked_and_the_cap_is_argo_cds():
    assert load_config(STAGING / "wavecd.yaml").webhook == WebhookSettings()
    assert WebhookSettings().max_payload_size_mb == 50


def test_secrets_are_read_literally_or_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GH_HOOK_SECRET", "from-env")
    monkeypatch.setenv("BB_HOOK_UUID", "{uuid-from-env}")
    config = load_config(
        write(
            tmp_path,
            """
webhook:
  github: {secretEnv: GH_HOOK_SECRET}
  gitlab: {secret: literal-token}
  gitea: {secret: gitea-secret}
  bitbucket: {uuidEnv: BB_HOOK_UUID}
  bitbucketServer: {secret: bbs-secret}
  maxPayloadSizeMB: 10
""",
        )
    )
    assert config.webhook.resolved() == WebhookSettings(
        github_secret="from-env",
        gitlab_secret="literal-token",
        gogs_secret="gitea-secret",
        bitbucket_uuid="{uuid-from-env}",
        bitbucket_server_secret="bbs-secret",
        max_payload_size_mb=10,
    )
    assert "from-env" not in repr(config) and "literal-token" not in repr(config)


@pytest.mark.parametrize(
    "section, message",
    [
        ("webhook: [github]", r"webhook must be a mapping"),
        ("webhook: {github: s3cret}", r"webhook\.github must be a mapping"),
        ("webhook: {github: {secret: 12345}}", r"webhook\.github\.secret must be a string"),
        ("webhook: {github: {secrt: x}}", r"webhook\.github: unknown key 'secrt'"),
        ("webhook: {gogs: {secret: x}}", r"webhook: unknown key 'gogs'"),
        ("webhook: {bitbucket: {secret: x}}", r"webhook\.bitbucket: unknown key 'secret'"),
        ("webhook: {gitlab: {secret: a, secretEnv: B}}", r"webhook\.gitlab: give secret or secretEnv, not both"),
        ("webhook: {gitlab: {secretEnv: 7}}", r"webhook\.gitlab\.secretEnv must be the name of an environment"),
        ("webhook: {maxPayloadSizeMB: 0}", r"webhook\.maxPayloadSizeMB must be a positive whole number"),
        ("webhook: {maxPayloadSizeMB: 5MB}", r"webhook\.maxPayloadSizeMB must be a positive whole number"),
        ("webhook: {maxPayloadSizeMB: true}", r"webhook\.maxPayloadSizeMB must be a positive whole number"),
    ],
)
def test_a_malformed_webhook_section_is_refused_naming_the_file_and_key(tmp_path, section, message):
    path = write(tmp_path, section + "\n")
    with pytest.raises(UserInputError, match=rf"^{path}: {message}"):
        load_config(path)


def test_a_secret_named_from_a_missing_or_empty_variable_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("WAVECD_TEST_NO_SUCH_VAR", raising=False)
    path = write(tmp_path, "webhook:\n  github:\n    secretEnv: WAVECD_TEST_NO_SUCH_VAR\n")
    config = load_config(path)  # commands other than `wavecd serve` never need the secret
    with pytest.raises(
        UserInputError,
        match=rf"^{path}: webhook\.github\.secretEnv: environment variable WAVECD_TEST_NO_SUCH_VAR is not set$",
    ):
        config.webhook.resolved()
    monkeypatch.setenv("WAVECD_TEST_NO_SUCH_VAR", "")
    with pytest.raises(UserInputError, match=r"WAVECD_TEST_NO_SUCH_VAR is empty$"):
        config.webhook.resolved()
