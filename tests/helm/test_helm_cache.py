"""The cross-process cache of compiled templates: a render that reads it prints exactly what real helm
printed (the conformance recordings of helm 4.1.4), as does the render that filled it; a damaged entry is
ignored and rewritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.paths import wavecd_command
from wavecd.cli.main import main
from wavecd.gotemplate import template_set
from wavecd.helm import engine, template_cache

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"
PLACEHOLDER = b"$CONFORMANCE"

# (case name in tests/conformance/expected/v4, helm template arguments): defines, includes, tpl,
# subcharts, range/break, and execution errors whose texts name a template's line and column
CASES = [
    ("lang-define", ["rel", "charts/lang-define"]),
    ("lang-range", ["rel", "charts/lang-range"]),
    ("helm-tpl", ["rel", "charts/helm-tpl"]),
    ("deps", ["rel", "charts/deps"]),
    ("sprig-dicts", ["rel", "charts/sprig-dicts"]),
    ("err-exec-nilptr", ["rel", "charts/err-exec", "--set", "case=nilptr"]),
    ("err-exec-nilptrInclude", ["rel", "charts/err-exec", "--set", "case=nilptrInclude"]),
    ("err-exec-fieldOnString", ["rel", "charts/err-exec", "--set", "case=fieldOnString"]),
    ("err-exec-fail", ["rel", "charts/err-exec", "--set", "case=fail"]),
]


def _forget_in_memory() -> None:
    """What a new process starts with: no parsed sets, no compiled templates."""
    engine._SETS.clear()
    template_set.clear_cache()


def _render(args: list[str]) -> tuple[bytes, bytes, int]:
    _forget_in_memory()
    result = CliRunner().invoke(main, ["helm", "template", "--helm-compat", "v4", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    here = str(CONFORMANCE).encode()
    return (
        result.stdout_bytes.replace(here, PLACEHOLDER),
        result.stderr_bytes.replace(here, PLACEHOLDER),
        result.exit_code,
    )


def _recorded(name: str) -> tuple[bytes, bytes, int]:
    base = CONFORMANCE / "expected" / "v4" / name
    return (
        Path(f"{base}.out").read_bytes(),
        Path(f"{base}.err").read_bytes(),
        int(Path(f"{base}.rc").read_text(encoding="ascii")),
    )


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "templates").iterdir() if not p.name.startswith("."))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path))
    monkeypatch.chdir(CONFORMANCE)
    yield tmp_path
    _forget_in_memory()


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_a_render_from_the_filled_cache_prints_what_helm_printed(cache_dir: Path, name: str, args: list[str]):
    expected = _recorded(name)
    filling = _render(args)
    assert _entries(cache_dir), "the first render stores its compiled templates"
    from_cache = _render(args)
    assert filling == expected
    assert from_cache == expected


def test_a_damaged_entry_is_ignored_and_rewritten(cache_dir: Path):
    args = ["rel", "charts/deps"]
    expected = _recorded("deps")
    _render(args)
    (entry,) = _entries(cache_dir)
    good = entry.read_bytes()
    damages = [
        good[: len(good) // 2],  # truncated
        good[:-10] + b"\xff" * 10,  # payload bytes changed
        b"not a cache entry at all",
        b"",
    ]
    for damaged in damages:
        entry.write_bytes(damaged)
        assert _render(args) == expected
        # The pickled bytes depend on what the process compiled before, so the replacement is checked by
        # what it does: it reads back intact and a render from it alone prints what helm printed.
        assert template_cache.read_entry(entry.name) is not None, "the damaged entry is replaced by a good one"
        _forget_in_memory()
        assert _render(args) == expected


def test_an_entry_that_passes_its_checksum_but_does_not_load_is_ignored(cache_dir: Path):
    args = ["rel", "charts/lang-define"]
    expected = _recorded("lang-define")
    _render(args)
    (entry,) = _entries(cache_dir)
    template_cache.write_entry(entry.name, b"\x80\x05K\x01.")  # a valid pickle of the wrong thing
    assert _render(args) == expected
    assert template_cache.read_entry(entry.name) != b"\x80\x05K\x01."


def test_an_entry_of_another_layout_or_cut_short_under_a_valid_checksum_is_ignored(cache_dir: Path):
    """An entry sealed by this user but written in an older layout (a bare pickle of a template table,
    which would load as a set without templates) or cut short is never misread: helm's output all the same."""
    import pickle

    args = ["rel", "charts/lang-define"]
    expected = _recorded("lang-define")
    _render(args)
    (entry,) = _entries(cache_dir)
    good = template_cache.read_entry(entry.name)
    assert good is not None
    for payload in (pickle.dumps({}, protocol=pickle.HIGHEST_PROTOCOL), good[: len(good) // 2], good[:30]):
        template_cache.write_entry(entry.name, payload)
        assert _render(args) == expected
        assert template_cache.read_entry(entry.name) != payload, "the unusable entry is replaced"


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(blocker))
    monkeypatch.chdir(CONFORMANCE)
    try:
        assert _render(["rel", "charts/lang-range"]) == _recorded("lang-range")
    finally:
        _forget_in_memory()


def test_the_folder_keeps_a_bounded_number_of_entries(cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(template_cache, "_MAX_ENTRIES", 3)
    for i in range(6):
        template_cache.write_entry(f"{i:064x}", b"payload")
        os.utime(cache_dir / "templates" / f"{i:064x}", ns=(i * 10**9, i * 10**9))
    assert [p.name for p in _entries(cache_dir)] == [f"{i:064x}" for i in (3, 4, 5)]


@pytest.mark.parametrize(("name", "args"), [CASES[3], CASES[5]], ids=[CASES[3][0], CASES[5][0]])
def test_a_new_wavecd_process_prints_what_helm_printed_with_an_empty_and_a_filled_cache(
    cache_dir: Path, name: str, args: list[str]
):
    """`wavecd helm template` as its own process ends without the interpreter's teardown: all of its
    output must still be written, with helm's exit status."""
    import subprocess

    cmd = wavecd_command("helm", "template", *args)
    env = dict(os.environ, WAVECD_CACHE_DIR=str(cache_dir))
    here = str(CONFORMANCE).encode()
    for _ in ("empty", "filled"):
        done = subprocess.run(cmd, capture_output=True, env=env, cwd=CONFORMANCE, check=False, timeout=120)
        actual = (done.stdout.replace(here, PLACEHOLDER), done.stderr.replace(here, PLACEHOLDER), done.returncode)
        assert actual == _recorded(name)
    assert _entries(cache_dir)


def test_entries_of_another_wavecd_or_python_are_never_read(cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    args = ["rel", "charts/lang-define"]
    _render(args)
    assert len(_entries(cache_dir)) == 1
    monkeypatch.setattr(template_cache, "_fingerprint", "another wavecd")
    assert _render(args) == _recorded("lang-define")
    assert len(_entries(cache_dir)) == 2, "the other code's entry is left alone; this one writes its own"
