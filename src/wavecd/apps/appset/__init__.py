"""ApplicationSets expanded into Applications, exactly as Argo CD's ApplicationSet controller does."""

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.expand import GeneratorContext, expand_applicationset

__all__ = ["AppSetError", "GeneratorContext", "expand_applicationset"]
