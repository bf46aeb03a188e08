"""WCD501: the tree's own Kyverno policies judged offline on what is applied after them — issue 17's proof that
an Enforce policy at wave -7 refusing a wave-11 Deployment is reported before the rollout (the very tree on which
`wavecd sync --sim` stops at wave 11, tests/cli/test_cli_sync_sim.py)."""

from __future__ import annotations

from lint_support import lint_children

from support.gitops import Child, deployment, disallow_latest_tag, kyverno_policy_crd, latest_tag_rollout
from wavecd.lint.rules.kyverno_policies import KYVERNO_POLICY


def latest(name: str, namespace: str = "shop", wave: int | None = None) -> dict:
    obj = deployment(name, namespace, wave=wave)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "example/app:latest"
    return obj


def test_an_enforce_policy_of_wave_minus_7_refusing_a_wave_11_deployment_is_an_error(tmp_path):
    assert lint_children(KYVERNO_POLICY, tmp_path, latest_tag_rollout()) == [
        (
            "WCD501",
            "error",
            "api",
            11,
            "Deployment/shop/api",
            "ClusterPolicy disallow-latest-tag (app kyverno-policies, wave -7) rule autogen-validate-image-tag "
            "refuses Deployment shop/api of wave 11: validation error: latest is not allowed. rule "
            "autogen-validate-image-tag failed at path /spec/template/spec/containers/0/image/; the rollout would "
            "stop at wave 11",
        )
    ]


def test_an_audit_policy_is_a_warning_and_objects_before_or_beside_the_policy_are_not_judged(tmp_path):
    children = [
        Child("kyverno-crds", [kyverno_policy_crd()], wave=-8),
        # the policy's own app: a Deployment in a later resource wave is judged, one in the same step is not
        Child(
            "kyverno-policies",
            [
                disallow_latest_tag("latest is not allowed", action="Audit"),
                latest("same-step"),
                latest("later", wave=1),
            ],
            wave=-7,
            namespace="shop",
        ),
        Child("early", [latest("early")], wave=-9, namespace="shop"),
        Child("beside", [latest("beside")], wave=-7, namespace="shop"),
        # Kyverno's resource filters: kube-system is never evaluated
        Child("system", [latest("system", "kube-system")], wave=2, namespace="kube-system"),
    ]
    findings = lint_children(KYVERNO_POLICY, tmp_path, children)
    assert [f[:5] for f in findings] == [("WCD501", "warning", "kyverno-policies", -7, "Deployment/shop/later")]
    assert findings[0][5].startswith(
        "ClusterPolicy disallow-latest-tag (app kyverno-policies, wave -7) rule autogen-validate-image-tag reports "
        "(Audit) Deployment shop/later of wave -7: validation error: latest is not allowed."
    )


def test_rules_wavecd_does_not_evaluate_are_a_note_once_each(tmp_path):
    policy = disallow_latest_tag("latest is not allowed")
    policy["spec"]["rules"].append(
        {
            "name": "add-team-label",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "mutate": {"patchStrategicMerge": {"metadata": {"labels": {"team": "shop"}}}},
        }
    )
    children = [
        Child("kyverno-crds", [kyverno_policy_crd()], wave=-8),
        Child("kyverno-policies", [policy], wave=-7),
        Child("shop", [deployment("a", "shop"), deployment("b", "shop")], wave=3, namespace="shop"),
    ]
    assert lint_children(KYVERNO_POLICY, tmp_path, children) == [
        (
            "WCD501",
            "note",
            "kyverno-policies",
            -7,
            "ClusterPolicy/disallow-latest-tag",
            "ClusterPolicy disallow-latest-tag (app kyverno-policies, wave -7) rule add-team-label not evaluated: "
            "mutate rules are not evaluated by wavecd",
        )
    ]


def test_compliant_objects_pass(tmp_path):
    children = [
        Child("kyverno-policies", [disallow_latest_tag("latest is not allowed")], wave=-7),
        Child("shop", [deployment("api", "shop")], wave=11, namespace="shop"),
    ]
    assert lint_children(KYVERNO_POLICY, tmp_path, children) == []
