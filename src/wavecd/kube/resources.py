"""lightkube resource classes for kinds known only from discovery.

Every kind, built-in ones included, goes through lightkube's generic resources, so objects stay plain dicts
end to end (a typed model would drop fields newer than the model). The classes are made here and not put in
lightkube's process-wide registry: two clusters may serve one kind differently (a CRD whose scope changed),
and the registry would refuse the second shape.
"""

from __future__ import annotations

from functools import cache

from lightkube.generic_resource import GenericGlobalResource, GenericNamespacedResource, create_api_info
from lightkube.models import meta_v1

from wavecd.kube.discovery import ApiResource

GenericResource = type[GenericGlobalResource] | type[GenericNamespacedResource]


def _prepare_models() -> None:
    """Set up, once and in one thread, the lightkube models a client decodes. lightkube prepares a model class
    on its first use without a lock, so two threads decoding their first error `Status` (or first
    `ObjectMeta`) at the same moment can see a half-prepared class and fail."""
    sample_meta = {
        "name": "n",
        "ownerReferences": [{"apiVersion": "v1", "kind": "K", "name": "o", "uid": "u"}],
        "managedFields": [{"manager": "m", "operation": "Apply"}],
    }
    meta_v1.ObjectMeta.from_dict(sample_meta, lazy=False)
    meta_v1.ListMeta.from_dict({}, lazy=False)
    meta_v1.Status.from_dict(
        {"status": "Failure", "metadata": {}, "details": {"name": "n", "causes": [{"reason": "r"}]}}, lazy=False
    )


_prepare_models()


@cache
def resource_class(resource: ApiResource) -> GenericResource:
    """The lightkube class for `resource`: one per distinct discovery entry, reused across calls."""
    base = GenericNamespacedResource if resource.namespaced else GenericGlobalResource
    # All verbs are allowed client-side: the server is the one to refuse a verb it does not serve.
    info = create_api_info(resource.group, resource.version, resource.kind, resource.plural)
    return type(resource.kind, (base,), {"_api_info": info})
