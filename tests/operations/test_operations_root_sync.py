"""`sync_root`, called as the server will call it (no click): its events end with a summary whatever stops
the sync, and it takes the wave delay from `ARGOCD_SYNC_WAVE_DELAY`.

The engine is stood in for where a test needs it to misbehave; the render and the plan are real.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
import yaml

from support.gitops import application
from wavecd.apps.session import TreeRequest
from wavecd.core import ManualClock, UserInputError
from wavecd.kube import KubeError
from wavecd.operations import sync_root
from wavecd.plan import plan_tree
from wavecd.sync.events import AppFinished, AppStarted, Summary, TreeRendered
from wavecd.sync.settings import SyncResult, SyncSettings

REPO_URL = "https://git.example.com/gitops.git"
NOT_A_CLIENT = object()  # the stand-in engines never touch the cluster


@pytest.fixture
def repo(tmp_path) -> Path:
    """A root app and two apps in waves 1 and 2, each with one ConfigMap."""
    files = {
        "wavecd.yaml": {"root": "root.yaml", "repositories": [{"url": REPO_URL, "path": ".", "worktree": True}]},
        "root.yaml": application("root", "apps", namespace="web", repo=REPO_URL),
        "apps/web.yaml": application("web", "manifests/web", wave=1, namespace="web", repo=REPO_URL),
        "apps/later.yaml": application("later", "manifests/later", wave=2, namespace="web", repo=REPO_URL),
        "manifests/web/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}},
        "manifests/later/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "later"}},
    }
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content))
    return tmp_path


class Recorder:
    """The events as a caller receives them, and the engine's arguments when it was called."""

    def __init__(self) -> None:
        self.events: list = []
        self.engine_settings: SyncSettings | None = None
        self.warnings: list[tuple[str, str]] = []

    def emit(self, event) -> None:
        self.events.append(event)

    def warn(self, app: str, message: str) -> None:
        self.warnings.append((app, message))

    @property
    def kinds(self) -> list[str]:
        return [event.name for event in self.events]


def run(repo: Path, recorder: Recorder, *, connect=None, settings: SyncSettings | None = None, **kwargs) -> SyncResult:
    return sync_root(
        TreeRequest(root=repo, use_cache=False),
        connect or (lambda: contextlib.nullcontext(NOT_A_CLIENT)),
        settings or SyncSettings(),
        emit=recorder.emit,
        clock=ManualClock(),
        warn=recorder.warn,
        **kwargs,
    )


def engine_that_breaks_after_the_first_wave_started(plan, client, render, *, emit, **kwargs):
    emit(AppStarted(app="root", resources=2, steps=1))
    emit(AppFinished(app="root", health="Healthy", sync="Synced", seconds=1.0))
    emit(AppStarted(app="web", wave=1, resources=1, steps=1))
    raise KeyError("wave")


def test_a_bug_raised_mid_sync_still_ends_the_events_with_a_summary(repo, monkeypatch):
    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine_that_breaks_after_the_first_wave_started)
    recorder = Recorder()
    with pytest.raises(KeyError):
        run(repo, recorder)
    assert recorder.kinds == ["render", "app_started", "app_finished", "app_started", "summary"]
    summary = recorder.events[-1]
    assert (summary.health, summary.phase, summary.exit_code) == ("Unknown", "Failed", 1)
    assert summary.message == "internal error: KeyError: 'wave' (please report this wavecd bug)"
    assert summary.apps == {"Healthy": 1, "Progressing": 1, "NotStarted": 1}


def test_the_first_event_reports_the_render(repo, monkeypatch):
    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine_that_breaks_after_the_first_wave_started)
    recorder = Recorder()
    with pytest.raises(KeyError):
        run(repo, recorder)
    rendered = recorder.events[0]
    assert isinstance(rendered, TreeRendered)
    assert (rendered.apps, rendered.errors) == (3, [])


def test_the_engines_own_summary_is_not_repeated(repo, monkeypatch):
    def engine_failing_after_its_summary(plan, client, render, *, emit, **kwargs):
        emit(Summary(health="Degraded", phase="Failed", message="wave 1 failed", apps={"Degraded": 3}, exit_code=1))
        raise RuntimeError("closing the pool")

    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine_failing_after_its_summary)
    recorder = Recorder()
    with pytest.raises(RuntimeError):
        run(repo, recorder)
    assert recorder.kinds == ["render", "summary"]
    assert recorder.events[-1].message == "wave 1 failed"


def test_a_cluster_that_cannot_be_reached_ends_with_a_failed_summary(repo):
    @contextlib.contextmanager
    def unreachable():
        raise KubeError("connection to http://127.0.0.1:1 was refused")
        yield

    recorder = Recorder()
    with pytest.raises(KubeError):
        run(repo, recorder, connect=unreachable)
    assert recorder.kinds == ["render", "summary"]
    summary = recorder.events[-1]
    assert (summary.phase, summary.message, summary.exit_code) == (
        "Failed",
        "connection to http://127.0.0.1:1 was refused",
        1,
    )
    assert summary.apps == {"NotStarted": 3}


def test_ctrl_c_before_the_engine_runs_ends_with_an_interrupted_summary(repo, monkeypatch):
    def interrupted(tree):
        raise KeyboardInterrupt

    monkeypatch.setattr("wavecd.operations.root_sync.plan_tree", interrupted)
    recorder = Recorder()
    with pytest.raises(KeyboardInterrupt):
        run(repo, recorder)
    summary = recorder.events[-1]
    assert (summary.name, summary.phase, summary.message, summary.exit_code) == (
        "summary",
        "Interrupted",
        "interrupted",
        130,
    )


def test_the_callers_cancel_is_in_force_only_while_the_engine_runs(repo, monkeypatch):
    """The CLI turns Ctrl-C into `cancel` inside `while_engine_runs`; the engine must run inside it, the
    render and the plan outside it (there nothing would heed the flag)."""
    armed = threading.Event()
    seen: dict[str, object] = {}

    @contextlib.contextmanager
    def while_engine_runs():
        armed.set()
        yield
        armed.clear()

    def planning(tree):
        seen["armed while planning"] = armed.is_set()
        return plan_tree(tree)

    def engine(plan, client, render, *, emit, cancel, **kwargs):
        seen["armed in the engine"] = armed.is_set()
        seen["cancel"] = cancel
        emit(Summary(health="Healthy", phase="Succeeded", exit_code=0))
        return SyncResult(health="Healthy", phase="Succeeded", exit_code=0)

    monkeypatch.setattr("wavecd.operations.root_sync.plan_tree", planning)
    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine)
    cancel = threading.Event()
    result = run(repo, Recorder(), cancel=cancel, while_engine_runs=while_engine_runs)
    assert result.exit_code == 0
    assert seen == {"armed while planning": False, "armed in the engine": True, "cancel": cancel}
    assert not armed.is_set()


# -- ARGOCD_SYNC_WAVE_DELAY ---------------------------------------------------------------------------------------


@pytest.fixture
def engine_settings(monkeypatch):
    """The settings the engine is given, once `sync_root` has run."""
    given: list[SyncSettings] = []

    def engine(plan, client, render, *, settings, emit, **kwargs):
        given.append(settings)
        emit(Summary(health="Healthy", phase="Succeeded", exit_code=0))
        return SyncResult(health="Healthy", phase="Succeeded", exit_code=0)

    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine)
    return given


@pytest.mark.parametrize(("value", "seconds"), [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("+4", 4.0), ("", 7.0)])
def test_the_wave_delay_follows_argo_cds_variable(repo, monkeypatch, engine_settings, value, seconds):
    monkeypatch.setenv("ARGOCD_SYNC_WAVE_DELAY", value)
    run(repo, Recorder(), settings=SyncSettings(wave_delay=7.0, prune=True))
    (settings,) = engine_settings
    assert (settings.wave_delay, settings.prune) == (seconds, True)


def test_without_the_variable_the_settings_wave_delay_stands(repo, monkeypatch, engine_settings):
    monkeypatch.delenv("ARGOCD_SYNC_WAVE_DELAY", raising=False)
    run(repo, Recorder())
    assert engine_settings[0].wave_delay == 2.0  # Argo CD's default


@pytest.mark.parametrize("value", ["2s", "0.5", "abc", " 5", "5_0", "٥", "99999999999999999999"])
def test_a_wave_delay_that_is_not_whole_seconds_is_refused_before_any_event(repo, monkeypatch, engine_settings, value):
    monkeypatch.setenv("ARGOCD_SYNC_WAVE_DELAY", value)
    recorder = Recorder()
    with pytest.raises(UserInputError) as caught:
        run(repo, recorder)
    assert caught.value.message == f"ARGOCD_SYNC_WAVE_DELAY={value!r}: expected whole seconds, such as 0 or 5"
    assert caught.value.exit_code == 2
    assert recorder.events == [] and engine_settings == []
