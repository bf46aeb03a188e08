"""Kyverno's own CLI test fixtures as the oracle for `wavecd.kyverno`: run the `kyverno-test.yaml` files of a local
kyverno/kyverno checkout (`test/cli/`) and print how many expected validate results wavecd reproduces.

    .venv/bin/python tools/kyverno_oracle.py /path/to/kyverno/test/cli [--show-disagreements]
    .venv/bin/python tools/kyverno_oracle.py /path/to/kyverno-policies

The fixtures stay outside this repository (docs/kyverno.md says how to fetch them). Values files and user info
are fed to the engine as the CLI feeds them; a test is left out, and counted as such, when it needs exceptions,
API call responses, cluster resources, global context entries or per-element (`foreachValues`) values;
a result is left out when its rule is not a validate rule wavecd runs (mutate, generate, cel, podSecurity…)."""

from __future__ import annotations

import argparse
import collections
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

from wavecd.kyverno import Request, Status, UserInfo, evaluate, is_policy, load_policy
from wavecd.kyverno.engine import Values
from wavecd.kyverno.policy import Policy, PolicyError

_MOCKED = ("exceptions", "apiCallResponses", "context", "clusterResources", "globalContextEntries")


def _needs_mocks(values: dict[str, Any]) -> bool:
    """Whether a values file mocks what the engine is not given: global context entries, per-element values."""
    rules = [r for p in values.get("policies") or [] for r in p.get("rules") or [] if isinstance(r, dict)]
    return bool(values.get("globalContextEntries")) or any(r.get("foreachValues") for r in rules)


def _documents(path: Path) -> list[dict[str, Any]]:
    try:
        docs = list(yaml.safe_load_all(path.read_text()))
    except (OSError, yaml.YAMLError):
        return []
    out: list[dict[str, Any]] = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "List":
            out.extend(d for d in doc.get("items") or [] if isinstance(d, dict))
        elif isinstance(doc, dict):
            out.append(doc)
    return out


def _files(base: Path, entries: Any) -> list[Path] | None:
    paths: list[Path] = []
    for entry in entries or []:
        if not isinstance(entry, str) or "://" in entry:
            return None
        path = (base / entry).resolve()
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*.y*ml")))
        elif path.exists():
            paths.append(path)
        else:
            return None
    return paths


class _Mocks:
    """A test's values file and user info, as `kyverno test` feeds them to the engine."""

    def __init__(self, test: dict[str, Any], base: Path) -> None:
        values: Any = test.get("values")
        if isinstance(test.get("variables"), str):
            docs = _documents(base / test["variables"])
            values = docs[0] if docs else None
        self.values: dict[str, Any] = values if isinstance(values, dict) else {}
        self.present = bool(values)
        user: dict[str, Any] = {}
        if isinstance(test.get("userinfo"), str):
            docs = _documents(base / test["userinfo"])
            user = docs[0] if docs else {}
        info = user.get("userInfo") or {}
        self.user = UserInfo(
            username=str(info.get("username") or ""),
            groups=tuple(info.get("groups") or ()),
            roles=tuple(user.get("roles") or ()),
            cluster_roles=tuple(user.get("clusterRoles") or ()),
        )
        self.namespaces = {
            str(n.get("name")): {str(k): str(v) for k, v in (n.get("labels") or {}).items()}
            for n in self.values.get("namespaceSelector") or []
            if isinstance(n, dict)
        }

    def for_resource(self, policy: str, resource: dict[str, Any]) -> tuple[Request, Values | None]:
        variables = dict(self.values.get("globalValues") or {})
        rules: dict[str, dict[str, Any]] = {}
        name = str((resource.get("metadata") or {}).get("name") or "")
        for entry in self.values.get("policies") or []:
            if not isinstance(entry, dict) or entry.get("name") != policy:
                continue
            for res in entry.get("resources") or []:
                if isinstance(res, dict) and res.get("name") == name:
                    variables.update(res.get("values") or {})
            for rule in entry.get("rules") or []:
                if isinstance(rule, dict):
                    rules[str(rule.get("name"))] = dict(rule.get("values") or {})
        operation = str(variables.get("request.operation") or "CREATE")
        namespace = str((resource.get("metadata") or {}).get("namespace") or "")
        request = Request(operation=operation, namespace_labels=self.namespaces.get(namespace, {}), user=self.user)
        return request, (Values(variables, rules) if self.present else None)


def _actual(policy: Policy, rule: str, resource: dict[str, Any], mocks: _Mocks) -> str:
    request, values = mocks.for_resource(policy.name, resource)
    old = copy.deepcopy(resource) if request.operation in ("UPDATE", "DELETE") else None
    for result in evaluate(policy, resource, request, old, values):
        if result.rule not in (rule, f"autogen-{rule}", f"autogen-cronjob-{rule}"):
            continue
        if result.status is Status.NOT_EVALUATED:
            return "not-evaluated"
        scored = ((policy.manifest.get("metadata") or {}).get("annotations") or {}).get("policies.kyverno.io/scored")
        if result.status is Status.FAIL and scored == "false":
            return "warn"
        return result.status.value
    return "excluded"


def _resource_key(resource: dict[str, Any]) -> tuple[str, str]:
    meta = resource.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def run(root: Path, show: bool) -> int:
    counts: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    for test_file in sorted(root.rglob("kyverno-test.yaml")):
        base = test_file.parent
        tests = _documents(test_file)
        if not tests:
            continue
        test = tests[0]
        mocked_values = _documents(base / test["variables"]) if isinstance(test.get("variables"), str) else []
        if any(test.get(key) for key in _MOCKED) or any(_needs_mocks(v) for v in mocked_values):
            counts["tests left out (need mocks)"] += 1
            continue
        policy_files = _files(base, test.get("policies"))
        resource_files = _files(base, test.get("resources"))
        if policy_files is None or resource_files is None:
            counts["tests left out (remote or missing files)"] += 1
            continue
        policies: dict[str, Policy] = {}
        for path in policy_files:
            for doc in _documents(path):
                if is_policy(doc):
                    try:
                        policy = load_policy(doc)
                    except PolicyError:
                        continue
                    policies[policy.name] = policy
        resources = [d for path in resource_files for d in _documents(path)]
        counts["tests run"] += 1
        mocks = _Mocks(test, base)
        for expected in test.get("results") or []:
            name = str(expected.get("policy", "")).split("/")[-1]
            policy = policies.get(name)
            rule = expected.get("rule")
            want = expected.get("result") or expected.get("status")
            if policy is None or not rule:
                counts["results left out (not a Kyverno validate policy)"] += 1
                if show:
                    print(f"NOT-A-POLICY {test_file.parent.relative_to(root)} {name}")
                continue
            spec_rule = next((r for r in policy.rules if r.get("name") == rule), None)
            if spec_rule is None or not isinstance(spec_rule.get("validate"), dict):
                counts["results left out (not a validate rule)"] += 1
                continue
            for wanted in expected.get("resources") or []:
                ns, _, res_name = str(wanted).rpartition("/")
                chosen = [
                    r for r in resources if _resource_key(r)[1] == res_name and (not ns or _resource_key(r)[0] == ns)
                ]
                if expected.get("kind"):
                    chosen = [r for r in chosen if r.get("kind") == expected["kind"]] or chosen
                for resource in chosen[:1]:
                    got = _actual(policy, rule, resource, mocks)
                    if got == "not-evaluated":
                        counts["cases not evaluated by wavecd"] += 1
                        if show:
                            print(f"NOT-EVALUATED {test_file.parent.relative_to(root)} {name}/{rule}")
                        continue
                    if got == "excluded":
                        counts["agree: the rule does not apply (the CLI passes any expectation)"] += 1
                    counts["cases"] += 1
                    if got in (want, "excluded"):
                        counts["agree"] += 1
                    else:
                        reasons[str(test_file.parent.relative_to(root))] += 1
                        if show:
                            print(
                                f"DISAGREE {test_file.parent.relative_to(root)} {name}/{rule} {wanted}: "
                                f"want {want}, got {got}"
                            )
    for key in sorted(counts):
        print(f"{key}: {counts[key]}")
    print(f"validate cases agreeing with Kyverno: {counts['agree']}/{counts['cases']}")
    if show:
        for folder, n in reasons.most_common():
            print(f"  {n:4d} {folder}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder holding kyverno-test.yaml files, e.g. kyverno/test/cli")
    parser.add_argument("--show-disagreements", action="store_true")
    args = parser.parse_args()
    return run(args.folder, args.show_disagreements)


if __name__ == "__main__":
    sys.exit(main())
