"""lightkube resource classes for kinds known only from discovery.

Every kind, built-in ones included, goes through lightkube's generic resources, so objects stay plain dicts
end to end (a typed model would drop fields newer than the model). The classes are made here and not put in
lightkube's process-wide registry: two clusters may serve one kind differently (a CRD whose scope changed),
and the registry would refuse the second shape.
"""

from __future__ import annotations

from functools import cache

from lightkube.generic_resource import GenericGlobalResource, GenericNamespacedResource, create_api_info

from wavecd.kube.discovery import ApiResource

GenericResource = type[GenericGlobalResource] | type[GenericNamespacedResource]


@cache
def resource_class(resource: ApiResource) -> GenericResource:
    """The lightkube class for `resource`: one per distinct discovery entry, reused across calls."""
    base = GenericNamespacedResource if resource.namespaced else GenericGlobalResource
    # All verbs are allowed client-side: the server is the one to refuse a verb it does not serve.
    info = create_api_info(resource.group, resource.version, resource.kind, resource.plural)
    return type(resource.kind, (base,), {"_api_info": info})
