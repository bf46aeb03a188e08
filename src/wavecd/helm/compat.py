"""The Helm versions wavecd reproduces, and everything that differs between them as data.

`--helm-compat v4` (default) is helm v4.1.4 built with go1.25.9; `v3` is helm v3.17.2 built with go1.23.7;
`v4.2` is helm v4.2.2 built with go1.26.4 (Argo CD 3.5 ships v4.2.1, whose rendering source is the same: only
its version strings differ, and 4.2.2 is the binary the goldens are recorded with).
The API version lists are the client-go schemes of those builds, recorded from the real binaries with
`{{ .Capabilities.APIVersions | toJson }}`.
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.helm.manifests import INSTALL_ORDER_V3, INSTALL_ORDER_V4

API_VERSIONS_V3: tuple[str, ...] = (
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
)
API_VERSIONS_V4: tuple[str, ...] = (
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
)
# client-go 0.36 dropped autoscaling/v2beta1 and v2beta2 and moved scheduling.k8s.io/v1alpha1 to v1alpha2.
API_VERSIONS_V4_2: tuple[str, ...] = tuple(
    "scheduling.k8s.io/v1alpha2" if v == "scheduling.k8s.io/v1alpha1" else v
    for v in API_VERSIONS_V4
    if v not in ("autoscaling/v2beta1", "autoscaling/v2beta2")
)


@dataclass(frozen=True)
class HelmCompat:
    """One Helm build: its version identity, its defaults and its behaviour switches."""

    major: int
    version: str
    git_commit: str
    go_version: str
    go_version_tuple: tuple[int, int]
    default_kube_minor: int
    api_versions: tuple[str, ...]
    install_order: tuple[str, ...]
    kube_client_version: str | None
    semver_lib: str
    # Helm 4.2 behaviour switches (PR numbers of helm/helm):
    # SplitManifests trims only the start of each document, so a template's trailing newline stays (#31952).
    keeps_trailing_whitespace: bool = False
    # CoalesceValues leaves out the null defaults of a chart's own values.yaml (#31979).
    drops_default_nulls: bool = False
    # The missing-dependency error names 'helm dependency build' in single quotes, not backquotes (#12932).
    dependency_build_quote: str = "`"
    # The `mustToToml` template function exists (#31957).
    has_must_to_toml: bool = False
    # `helm template --hide-notes` / `--render-subchart-notes` print a deprecation line on stderr.
    deprecates_notes_flags: bool = False
    # A `--repo` chart picked by a version range (`^1`, `1.0.x`, …) is not reported with the "falling back
    # to closest available version" warning any more, only one picked for an inexact plain version.
    quiet_range_fallback: bool = False
    # `helm dependency build`'s out-of-sync Chart.lock error ends by naming `helm dependency update` (1836c598f).
    names_dependency_update: bool = False

    @property
    def default_kube_version(self) -> str:
        return f"v1.{self.default_kube_minor}.0"

    @property
    def head_type(self) -> str:
        """The Go type name that manifest-head decoding errors mention."""
        return "util.SimpleHead" if self.major >= 4 else "releaseutil.SimpleHead"


V3 = HelmCompat(
    major=3,
    version="v3.17.2",
    git_commit="cc0bbbd6d6276b83880042c1ecb34087e84d41eb",
    go_version="go1.23.7",
    go_version_tuple=(1, 23),
    default_kube_minor=32,
    api_versions=API_VERSIONS_V3,
    install_order=INSTALL_ORDER_V3,
    kube_client_version=None,
    semver_lib="3.3.0",
)

V4 = HelmCompat(
    major=4,
    version="v4.1.4",
    git_commit="05fa37973dc9e42b76e1d2883494c87174b6074f",
    go_version="go1.25.9",
    go_version_tuple=(1, 25),
    default_kube_minor=35,
    api_versions=API_VERSIONS_V4,
    install_order=INSTALL_ORDER_V4,
    kube_client_version="v1.35",
    semver_lib="3.4.0",
)

V4_2 = HelmCompat(
    major=4,
    version="v4.2.2",
    git_commit="b05881cf967a5a09e19866799d0edfd40675803a",
    go_version="go1.26.4",
    go_version_tuple=(1, 26),
    default_kube_minor=36,
    api_versions=API_VERSIONS_V4_2,
    install_order=INSTALL_ORDER_V4,
    kube_client_version="v1.36",
    semver_lib="3.5.0",
    keeps_trailing_whitespace=True,
    drops_default_nulls=True,
    dependency_build_quote="'",
    has_must_to_toml=True,
    deprecates_notes_flags=True,
    quiet_range_fallback=True,
    names_dependency_update=True,
)

MODES = {"v3": V3, "v4": V4, "v4.2": V4_2}
