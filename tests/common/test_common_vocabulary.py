"""Argo CD's vocabulary as a user meets it: how health codes rank, what a tree's health is, what colour each
status is shown in, and that the words print and serialise exactly as Argo CD spells them."""

from __future__ import annotations

import json

import pytest

from wavecd.common import (
    NOT_STARTED,
    STATUS_COLOURS,
    HealthStatus,
    OperationPhase,
    SyncStatus,
    is_worse,
    worst_of,
)

# gitops-engine pkg/health/health.go `healthOrder`, most healthy first; `IsWorse(current, new)` is
# index(new) > index(current), a code not in the list has index 0 (reference argocd-semantics.md §2.1).
ARGO_ORDER = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]


def test_is_worse_follows_argo_cd_health_order():
    for i, current in enumerate(ARGO_ORDER):
        for j, new in enumerate(ARGO_ORDER):
            assert is_worse(current, new) == (j > i), (current, new)


def test_a_code_argo_does_not_know_ranks_like_healthy():
    assert not is_worse("Healthy", "Bogus")
    assert is_worse("Bogus", "Suspended")
    assert not is_worse("Healthy", NOT_STARTED)


@pytest.mark.parametrize(
    ("codes", "worst"),
    [
        ([], "Healthy"),
        (["Healthy", "Healthy"], "Healthy"),
        (["Progressing", "Suspended"], "Progressing"),
        (["Degraded", "Missing", "Progressing"], "Degraded"),
        (["Healthy", "Unknown", "Degraded"], "Unknown"),
        (["Healthy", NOT_STARTED], "Healthy"),
    ],
)
def test_worst_of_is_the_least_healthy(codes, worst):
    assert worst_of(codes) == worst


def test_every_code_has_one_colour_and_the_views_agree_on_progressing():
    # Argo CD's UI (ui/src/app/shared/components/colors.ts, COLORS.health and COLORS.sync).
    assert STATUS_COLOURS["Healthy"] == "green"
    assert STATUS_COLOURS["Progressing"] == "cyan"
    assert STATUS_COLOURS["Degraded"] == "red"
    assert STATUS_COLOURS["Missing"] == "yellow"
    assert STATUS_COLOURS["Synced"] == "green"
    assert STATUS_COLOURS["OutOfSync"] == "yellow"
    assert all(STATUS_COLOURS.get(code) for code in [*ARGO_ORDER, NOT_STARTED, "Synced", "OutOfSync", "Failed"])


def test_the_words_print_and_serialise_as_argo_cd_spells_them():
    assert [str(code) for code in HealthStatus] == ARGO_ORDER
    assert json.dumps({"sync": SyncStatus.OUT_OF_SYNC, "phase": OperationPhase.SUCCEEDED}) == (
        '{"sync": "OutOfSync", "phase": "Succeeded"}'
    )
    assert f"{OperationPhase.TIMED_OUT}" == "TimedOut"
