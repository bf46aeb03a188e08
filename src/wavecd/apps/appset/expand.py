"""Expanding one ApplicationSet into the Applications Argo CD's controller would create."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.generators import GeneratorContext, GeneratorRun, transform
from wavecd.apps.appset.patch import strategic_merge
from wavecd.apps.appset.templating import GoTemplateRenderer, deep_replace, replace_fast
from wavecd.common import APPLICATION, ARGO_API_VERSION, ARGOCD_NAMESPACE, RESOURCES_FINALIZER
from wavecd.goyaml import reader

_TEMPLATE_METADATA = ("name", "namespace", "labels", "annotations", "finalizers")


@dataclass
class Expansion:
    """The Applications generated, and the per-application problems the controller would report."""

    applications: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def expand_applicationset(
    appset: dict[str, Any], context: GeneratorContext, *, namespace: str = ARGOCD_NAMESPACE
) -> Expansion:
    """Generate, render, patch and validate, following `GenerateApplications` and its validation.

    A generator error stops the whole ApplicationSet (the controller creates nothing then); a nameless or
    duplicate Application is skipped and reported, the others are kept.
    """
    metadata = appset.get("metadata") or {}
    spec = appset.get("spec") or {}
    go_template = bool(spec.get("goTemplate"))
    renderer = GoTemplateRenderer(spec.get("goTemplateOptions")) if go_template else None

    def replace(text: str, params: dict[str, Any], _options: list[str] | None) -> str:
        return renderer.replace(text, params) if renderer else replace_fast(text, params)

    run = GeneratorRun(go_template=go_template, context=context, replace=replace)
    sync_policy = spec.get("syncPolicy") or {}
    app_namespace = metadata.get("namespace") or namespace
    result = Expansion()
    seen: set[str] = set()
    for generator in spec.get("generators") or []:
        for transformed in transform(generator, run, spec.get("template") or {}, None):
            for params in transformed.params:
                app = _render(transformed.template, params, replace, sync_policy)
                if spec.get("templatePatch"):
                    app = _apply_patch(app, replace(spec["templatePatch"], params, None))
                app["metadata"]["namespace"] = app_namespace
                name = app["metadata"].get("name", "")
                appset_name = metadata.get("name", "")
                if not name:
                    result.errors.append(
                        f"ApplicationSet {appset_name} contains an application with no name; a name must be set in "
                        "the template's metadata.name or via a templatePatch (generateName is not supported)"
                    )
                elif name in seen:
                    result.errors.append(
                        f"ApplicationSet {appset_name} contains applications with duplicate name: {name}"
                    )
                else:
                    seen.add(name)
                    result.applications.append(app)
    return result


def _render(
    template: dict[str, Any], params: dict[str, Any], replace: Any, sync_policy: dict[str, Any]
) -> dict[str, Any]:
    template_metadata = template.get("metadata") or {}
    app = {
        "apiVersion": ARGO_API_VERSION,
        "kind": APPLICATION,
        "metadata": {
            key: copy.deepcopy(template_metadata[key]) for key in _TEMPLATE_METADATA if template_metadata.get(key)
        },
        "spec": copy.deepcopy(template.get("spec") or {}),
    }
    if not params:
        return app
    app = deep_replace(app, lambda text: replace(text, params, None))
    app.setdefault("metadata", {})
    if not sync_policy.get("preserveResourcesOnDeletion") and not app["metadata"].get("finalizers"):
        app["metadata"]["finalizers"] = [RESOURCES_FINALIZER]
    return app


def _apply_patch(app: dict[str, Any], patch_text: str) -> dict[str, Any]:
    try:
        patch = reader.load(patch_text, source="templatePatch")
    except reader.GoYamlError as err:
        raise AppSetError(f"error while converting template to json {patch_text!r}: {err.message}") from None
    if not isinstance(patch, dict):
        raise AppSetError(f"invalid templatePatch {patch_text!r}")
    project = (app.get("spec") or {}).get("project")
    patched = strategic_merge(app, patch)
    patched.setdefault("spec", {})
    if project is None:
        patched["spec"].pop("project", None)
    else:
        patched["spec"]["project"] = project
    return patched
