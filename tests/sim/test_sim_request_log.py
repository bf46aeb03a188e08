"""`wavecd sim serve --request-log FILE`: one JSON line per request, readable while the server runs, naming
who sent it (the User-Agent), as an API server's audit log does, so a test can tell two clients apart."""

from __future__ import annotations

import json

from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.sim.cluster import SimCluster


def test_each_line_records_the_method_path_status_and_user_agent(tmp_path):
    log = tmp_path / "requests.jsonl"
    with SimCluster(clock=ManualClock(), request_log_path=str(log)) as cluster:
        for agent in ("replica-a/1", "replica-b/1"):
            with KubeClient.for_server(cluster.url, agent=agent) as client:
                client.get("v1", "Namespace", f"from-{agent[:9]}")
        lines = [json.loads(line) for line in log.read_text().splitlines()]
    misses = [(line["userAgent"], line["path"], line["status"]) for line in lines if line["status"] == 404]
    assert misses == [
        ("replica-a/1", "/api/v1/namespaces/from-replica-a", 404),
        ("replica-b/1", "/api/v1/namespaces/from-replica-b", 404),
    ]
    assert {line["method"] for line in lines} == {"GET"}
    assert {line["contentType"] for line in lines} == {""}
