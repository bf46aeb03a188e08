"""WCD302–WCD304: Service selectors, routes and autoscaling/disruption targets against what the tree renders."""

from __future__ import annotations

from lint_support import lint_children

from support.gitops import Child, deployment, job
from wavecd.lint.rules.kubernetes import ROUTE_TARGET, SCALING_TARGET, SERVICE_SELECTOR


def service(name: str, namespace: str = "apps", selector: dict | None = None, **spec) -> dict:
    body = {"ports": [{"port": 80}], **spec}
    if selector is not None:
        body["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace}, "spec": body}


# -- WCD302 --------------------------------------------------------------------------------------------------------
def test_a_service_whose_selector_matches_no_pod_template_in_its_namespace_is_reported(tmp_path):
    children = [
        Child("web", [deployment("web"), service("web", selector={"app": "wbe"})], wave=2),
        # pods of that name in another namespace do not count: a Service selects in its own namespace
        Child("other", [deployment("wbe", namespace="elsewhere")], wave=1),
    ]
    assert lint_children(SERVICE_SELECTOR, tmp_path, children) == [
        (
            "WCD302",
            "warning",
            "web",
            2,
            "Service/apps/web",
            "Service apps/web selects app=wbe, which no pod template the tree renders in namespace apps has",
        )
    ]


def test_a_service_selecting_pods_another_app_renders_in_its_namespace_passes(tmp_path):
    children = [
        Child("backend", [deployment("api")], wave=1),
        Child("frontdoor", [service("api", selector={"app": "api"})], wave=2),
    ]
    assert lint_children(SERVICE_SELECTOR, tmp_path, children) == []


def test_services_matching_a_workload_and_those_without_pods_to_select_pass(tmp_path):
    batch = job("migrate")
    batch["spec"]["template"]["metadata"] = {"labels": {"app": "migrate", "tier": "batch"}}
    children = [
        Child(
            "web",
            [
                deployment("web"),
                batch,
                service("web", selector={"app": "web"}),
                service("migrate", selector={"app": "migrate"}),
                service("external", type="ExternalName", externalName="db.example.com", selector={"app": "db"}),
                service("manual-endpoints"),
            ],
        )
    ]
    assert lint_children(SERVICE_SELECTOR, tmp_path, children) == []


# -- WCD303 --------------------------------------------------------------------------------------------------------
def ingress(backend: str) -> dict:
    path = {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": backend, "port": {"number": 80}}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "public", "namespace": "edge"},
        "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [path]}}]},
    }


def virtual_service(*hosts: str) -> dict:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "routes", "namespace": "edge"},
        "spec": {
            "hosts": ["shop.example.com"],
            "http": [{"route": [{"destination": {"host": host, "port": {"number": 80}}} for host in hosts]}],
        },
    }


def http_route(*refs: dict) -> dict:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "shop", "namespace": "edge"},
        "spec": {"parentRefs": [{"name": "gateway"}], "rules": [{"backendRefs": list(refs)}]},
    }


def _routing_tree(*edge: dict) -> list[Child]:
    return [
        Child("shop", [deployment("cart", "shop"), service("cart", "shop", {"app": "cart"})], wave=3, namespace="shop"),
        Child("gateway", [deployment("gw", "edge"), service("gw", "edge", {"app": "gw"})], wave=1, namespace="edge"),
        Child("edge", list(edge), wave=5, namespace="edge"),
    ]


def test_routes_to_services_no_app_renders_are_reported(tmp_path):
    children = _routing_tree(
        ingress("gateway"),
        virtual_service("cart.shop.svc.cluster.local", "carts.shop", "gw", "checkout.shop.svc"),
        http_route({"name": "cart", "namespace": "shop", "port": 80}, {"name": "gw-v2", "port": 80}),
    )
    findings = lint_children(ROUTE_TARGET, tmp_path, children)
    assert {(f[0], f[1], f[2], f[3]) for f in findings} == {("WCD303", "warning", "edge", 5)}
    assert [(f[4], f[5]) for f in findings] == [
        (
            "Ingress/edge/public",
            "Ingress edge/public routes to gateway (Service edge/gateway), which no app of the tree renders",
        ),
        (
            "VirtualService/edge/routes",
            "VirtualService edge/routes routes to carts.shop (Service shop/carts), which no app of the tree renders",
        ),
        (
            "VirtualService/edge/routes",
            "VirtualService edge/routes routes to checkout.shop.svc (Service shop/checkout), which no app of the "
            "tree renders",
        ),
        (
            "HTTPRoute/edge/shop",
            "HTTPRoute edge/shop routes to gw-v2 (Service edge/gw-v2), which no app of the tree renders",
        ),
    ]


def test_routes_to_rendered_services_and_hosts_outside_the_cluster_pass(tmp_path):
    entry = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "ServiceEntry",
        "metadata": {"name": "payments", "namespace": "edge"},
        "spec": {"hosts": ["payments.shop"], "resolution": "DNS"},
    }
    children = _routing_tree(
        ingress("gw"),
        virtual_service("cart.shop.svc.cluster.local", "cart.shop", "gw", "api.stripe.com", "payments.shop"),
        http_route({"name": "cart", "namespace": "shop"}, {"kind": "Bucket", "group": "storage.example", "name": "x"}),
        entry,
    )
    assert lint_children(ROUTE_TARGET, tmp_path, children) == []


# -- WCD304 --------------------------------------------------------------------------------------------------------
def hpa(target: str, namespace: str = "apps") -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": 2,
            "maxReplicas": 5,
        },
    }


def pdb(selector: dict, namespace: str = "apps") -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"minAvailable": 1, "selector": selector},
    }


def test_an_autoscaler_or_budget_that_targets_nothing_in_its_namespace_is_reported(tmp_path):
    children = [
        Child("web", [deployment("web"), hpa("web-api"), pdb({"matchLabels": {"app": "web-api"}})], wave=4),
        # a Deployment of that name in another namespace is not the target
        Child("elsewhere", [deployment("web-api", "other")], wave=4, namespace="other"),
    ]
    assert lint_children(SCALING_TARGET, tmp_path, children) == [
        (
            "WCD304",
            "warning",
            "web",
            4,
            "HorizontalPodAutoscaler/apps/web",
            "HorizontalPodAutoscaler apps/web scales Deployment apps/web-api, which no app of the tree renders",
        ),
        (
            "WCD304",
            "warning",
            "web",
            4,
            "PodDisruptionBudget/apps/web",
            "PodDisruptionBudget apps/web selects no pod template the tree renders in namespace apps",
        ),
    ]


def test_targets_rendered_by_any_app_of_the_namespace_pass(tmp_path):
    expression = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}
    children = [
        Child("scaling", [hpa("web"), pdb(expression)], wave=5),
        Child("web", [deployment("web")], wave=4),
    ]
    assert lint_children(SCALING_TARGET, tmp_path, children) == []
