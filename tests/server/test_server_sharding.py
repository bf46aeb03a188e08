"""`--shards N --shard I`: every app is reconciled by exactly one replica, the same one on every run and
every machine, and an app annotated `argocd.argoproj.io/skip-reconcile` by none."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest

from wavecd.core import UserInputError
from wavecd.server.sharding import Sharding, app_key, fnv1a_32, shard_of, skips_reconcile


def reference_fnv1a_32(data: bytes) -> int:
    """FNV-1a as its authors define it (isthe.com/chongo/tech/comp/fnv), written apart from wavecd's: the
    basis is the FNV-0 hash of the authors' signature line, the prime 2**24 + 2**8 + 0x93."""
    prime = 2**24 + 2**8 + 0x93
    value = 0
    for byte in b"chongo <Landon Curt Noll> /\\../\\":  # FNV-0 over this text gives the offset basis
        value = (value * prime) % 2**32 ^ byte
    for byte in data:
        value = ((value ^ byte) * prime) % 2**32
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Published FNV-1a 32 vectors (the FNV authors' test suite, also Go's hash/fnv tests).
        (b"", 0x811C9DC5),
        (b"a", 0xE40C292C),
        (b"foobar", 0xBF9CF968),
    ],
)
def test_fnv1a_32_matches_the_published_vectors(text, expected):
    assert fnv1a_32(text) == expected
    assert reference_fnv1a_32(text) == expected


def test_fnv1a_32_agrees_with_an_independent_implementation():
    keys = [app_key(f"app-{i}", ns) for i in range(300) for ns in ("argocd", "team-a")] + ["ü/名前", "x" * 1000]
    for key in keys:
        assert fnv1a_32(key.encode()) == reference_fnv1a_32(key.encode()), key


# Pinned: changing any of these moves running apps to another replica on upgrade, so it must be deliberate.
# The hashes were recorded from Go's hash/fnv (`fnv.New32a()`), Argo CD's own hash for its `legacy` sharding.
@pytest.mark.parametrize(
    ("name", "namespace", "go_fnv32a"),
    [
        ("staging-seat", "argocd", 0xEB09188D),
        ("loadtest-seat", "argocd", 0x1E4AE886),
        ("root", "argocd", 0x8555D088),
        ("staging-webs", "argocd", 0xEFD5504B),
        ("staging-seat", "team-a", 0x7764DEBE),
    ],
)
def test_pinned_hashes(name, namespace, go_fnv32a):
    assert fnv1a_32(app_key(name, namespace).encode()) == go_fnv32a
    for shards in (1, 2, 3, 5):
        assert shard_of(app_key(name, namespace), shards) == go_fnv32a % shards
        assert Sharding(shards, go_fnv32a % shards).owns(name, namespace)


def test_pinned_shards_of_the_seat_apps():
    # The proof's two seat apps land on different replicas of two shards.
    assert shard_of("argocd/staging-seat", 2) == 1
    assert shard_of("argocd/loadtest-seat", 2) == 0
    assert not Sharding(2, 0).owns("staging-seat", "argocd")


def test_the_namespace_is_part_of_the_identity():
    assert app_key("web", "argocd") == "argocd/web"
    keys = {fnv1a_32(app_key("web", ns).encode()) for ns in ("argocd", "team-a", "team-b")}
    assert len(keys) == 3


def test_the_shard_is_the_same_in_another_process():
    # Python's own hash() of a str changes from one process to the next; a shard must not.
    names = [f"app-{i}" for i in range(50)]
    here = [shard_of(app_key(n, "argocd"), 7) for n in names]
    code = (
        "from wavecd.server.sharding import shard_of, app_key;"
        f"print([shard_of(app_key(n, 'argocd'), 7) for n in {names!r}])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert there.stdout.strip() == str(here)


@pytest.mark.parametrize("shards", [1, 2, 3])
def test_every_app_is_owned_by_exactly_one_shard_and_the_load_is_even(shards):
    names = [f"app-{i:04d}" for i in range(1000)]
    replicas = [Sharding(shards, i) for i in range(shards)]
    load: Counter[int] = Counter()
    for name in names:
        owners = [r.shard for r in replicas if r.owns(name, "argocd")]
        assert len(owners) == 1, (name, owners)
        load[owners[0]] += 1
    assert sum(load.values()) == 1000
    fair = 1000 / shards
    assert all(abs(load[i] - fair) < 0.15 * fair for i in range(shards)), load


@pytest.mark.parametrize(
    ("shards", "shard", "message"),
    [
        (0, 0, "--shards must be a whole number of at least 1, got 0"),
        (-2, 0, "--shards must be a whole number of at least 1, got -2"),
        (2, 2, "--shard must be one of 0 to 1 (the shards of --shards 2 are counted from 0), got 2"),
        (3, -1, "--shard must be one of 0 to 2 (the shards of --shards 3 are counted from 0), got -1"),
        (1, 1, "--shard must be one of 0 (the shards of --shards 1 are counted from 0), got 1"),
        (True, 0, "--shards must be a whole number of at least 1, got True"),
    ],
)
def test_bad_flags_are_clear_user_errors(shards, shard, message):
    with pytest.raises(UserInputError) as caught:
        Sharding(shards, shard)
    assert caught.value.message == message
    assert caught.value.exit_code == 2


def test_one_shard_owns_everything():
    assert all(Sharding().owns(f"app-{i}", "argocd") for i in range(100))


def application(annotations):
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"annotations": annotations}}


@pytest.mark.parametrize("value", ["true", "True", "TRUE", "t", "T", "1"])
def test_skip_reconcile_reads_true_as_go_parsebool_does(value):
    assert skips_reconcile(application({"argocd.argoproj.io/skip-reconcile": value}))


@pytest.mark.parametrize("value", ["false", "False", "0", "f", "yes", "on", " true", "", 1, True, None])
def test_skip_reconcile_is_off_for_false_and_anything_parsebool_refuses(value):
    # Argo CD's canProcessApp logs a value ParseBool refuses and reconciles the app anyway.
    assert not skips_reconcile(application({"argocd.argoproj.io/skip-reconcile": value}))


@pytest.mark.parametrize(
    "app",
    [
        {},
        {"metadata": None},
        {"metadata": {"name": "a"}},
        {"metadata": {"annotations": None}},
        {"metadata": {"annotations": ["argocd.argoproj.io/skip-reconcile"]}},
        application({"argocd.argoproj.io/other": "true"}),
    ],
)
def test_skip_reconcile_without_the_annotation(app):
    assert not skips_reconcile(app)
