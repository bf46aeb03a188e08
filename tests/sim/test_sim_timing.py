"""Timing rules: Go-style durations in annotations, per-object overrides of the kind defaults."""

from __future__ import annotations

import pytest

from wavecd.sim.timing import Rules, Timing, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2s", 2.0),
        ("500ms", 0.5),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("3", 3.0),
        ("0.5", 0.5),
        ("", None),
        ("2x", None),
        ("s", None),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_annotations_override_kind_defaults():
    rules = Rules()
    plain = {"metadata": {}}
    assert rules.timing("apps", "Deployment", plain) == Timing(1.0)
    tuned = {
        "metadata": {
            "annotations": {
                "sim.wavecd.io/ready-after": "30s",
                "sim.wavecd.io/outcome": "fail",
                "sim.wavecd.io/fail-after": "5s",
            }
        }
    }
    assert rules.timing("apps", "Deployment", tuned) == Timing(30.0, "fail", 5.0)
    ignored = {"metadata": {"annotations": {"sim.wavecd.io/ready-after": "soon", "sim.wavecd.io/outcome": "maybe"}}}
    assert rules.timing("apps", "Deployment", ignored) == Timing(1.0)
    assert rules.default("karpenter.sh", "NodePool") == Timing(1.0)
    assert rules.default("example.com", "Gadget") is None
    assert Rules(scale=0.5).timing("apps", "Deployment", plain).delay == 0.5
