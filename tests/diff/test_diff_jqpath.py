"""The jq of `ignoreDifferences.jqPathExpressions`, applied as Argo CD's `del(expr)`: each expected document is
what real jq (1.6, Debian 12's) printed for `jq -c 'del(EXPR)'` on DOC, written out here."""

from __future__ import annotations

import copy

import pytest

from wavecd.diff.jqpath import JqUnsupported, delete_paths

DOC = {
    "metadata": {"annotations": {"example.com/hash": "1", "keep": "2"}},
    "spec": {
        "containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "istio-proxy", "image": "proxy:1"},
            {"name": "istio-proxy", "image": "proxy:2"},
        ],
        "replicas": 3,
    },
}


def deleted(expression: str) -> dict:
    doc = copy.deepcopy(DOC)
    delete_paths(doc, expression)
    return doc


def test_fields_quoted_keys_and_indexes():
    assert deleted(".spec.replicas")["spec"].keys() == {"containers"}
    assert deleted('.metadata.annotations."example.com/hash"')["metadata"] == {"annotations": {"keep": "2"}}
    assert deleted('.metadata.annotations["example.com/hash"]')["metadata"] == {"annotations": {"keep": "2"}}
    assert [c["image"] for c in deleted(".spec.containers[-1]")["spec"]["containers"]] == ["app:1", "proxy:1"]
    assert deleted(".spec.containers[0].env[0].value")["spec"]["containers"][0]["env"] == [{"name": "A"}]
    assert deleted(".no.such.path") == DOC  # a path that finds nothing deletes nothing


def test_select_keeps_or_drops_every_match():
    assert [
        c["name"] for c in deleted('.spec.containers[] | select(.name == "istio-proxy")')["spec"]["containers"]
    ] == ["app"]
    assert [
        c["name"] for c in deleted('.spec.containers[] | select(.name != "istio-proxy")')["spec"]["containers"]
    ] == [
        "istio-proxy",
        "istio-proxy",
    ]
    images = deleted('.spec.containers[] | select(.name == "istio-proxy") | .image')["spec"]["containers"]
    assert images == [DOC["spec"]["containers"][0], {"name": "istio-proxy"}, {"name": "istio-proxy"}]
    assert deleted(".spec.containers[] | select(.name == 3)") == DOC  # a number never equals a string


@pytest.mark.parametrize("expression", [".", ".a | length", "map(.x)", ".a +", "select(.a)", ".a |"])
def test_other_jq_is_refused(expression):
    with pytest.raises(JqUnsupported):
        delete_paths(copy.deepcopy(DOC), expression)
