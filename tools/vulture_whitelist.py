"""Names in src/wavecd that vulture reports as unused, but that are used where it cannot see.

vulture reads this file beside the sources (pyproject's `[tool.vulture]` paths), so every name written
below counts as used. A name belongs here only when something outside Python's call graph calls it (click,
pickle, http.server, httpx, a Go template looking a method up by name), or when it is API that tests,
benchmarks or the docs rely on; code nothing uses is deleted instead. The file is read, never run.
"""

# ruff: noqa: B018

from decimal import Context

from re2 import Options

from wavecd.apps.helm_source import helm_arguments
from wavecd.cli.main import LazyGroup, main
from wavecd.cli.sim_cmd import serve
from wavecd.common import HookType, SyncPhase
from wavecd.gotemplate.gofloat import shortest_g
from wavecd.gotemplate.template_set import TemplateSet, _StatePickler, clear_cache
from wavecd.helm.objects import Files, HelmValues, KubeVersion
from wavecd.kube.client import KubeClient
from wavecd.kyverno.functions import KyvernoFunctions
from wavecd.kyverno.jmes import _Interpreter
from wavecd.operations import __getattr__ as operations_getattr
from wavecd.plan.app_plan import AppPlan
from wavecd.plan.task import Task
from wavecd.plan.tree_plan import TreePlan
from wavecd.server.leader import LeaderElector
from wavecd.server.tokens import Role
from wavecd.sim.bodies import DeadlineReader
from wavecd.sim.cluster import SimCluster
from wavecd.sim.server import SimHTTPServer, _Handler
from wavecd.sources.ocicharts import push_chart
from wavecd.sources.registryauth import RegistryAuth
from wavecd.sprig.gotime import GoTime
from wavecd.sprig.semverfuncs import SemverVersion

# click calls these: the `wavecd` console script (pyproject [project.scripts]), the lazy group's two
# overrides, and `wavecd sim serve`, registered by its @sim.command() decorator.
main
LazyGroup.list_commands
LazyGroup.get_command
serve

# Python calls a module's `__getattr__` for a name the module lacks (PEP 562): `wavecd.operations` loads
# `sync_root` and the Kubernetes client on first use, so the offline operations beside it start lean.
operations_getattr

# pickle.Pickler reads its per-object reducers from `dispatch_table` and calls `reducer_override`.
_StatePickler.dispatch_table
_StatePickler.reducer_override

# socketserver and http.server read these class attributes and call the `do_<METHOD>` handlers by name;
# `close_connection` tells the handler loop to end the connection; `log_message` silences its stderr log.
SimHTTPServer.daemon_threads
SimHTTPServer.allow_reuse_address
_Handler.protocol_version
_Handler.log_message
_Handler.do_GET
_Handler.do_HEAD
_Handler.do_POST
_Handler.do_PUT
_Handler.do_PATCH
_Handler.do_DELETE
_Handler.close_connection
_Handler.handle_expect_100

# io.BufferedReader reads the socket through its raw reader's `readable` and `readinto`.
DeadlineReader.readable
DeadlineReader.readinto

# httpx.Auth: httpx drives the auth flow of every request made with it.
RegistryAuth.auth_flow

# decimal.Context: sprig's exact arithmetic widens the exponent range of its local context.
Context.Emax
Context.Emin

# Go methods and fields that templates reach by name (`{{ .Capabilities.KubeVersion.GitVersion }}`,
# `{{ .Files.Get "x" }}`, `{{ $v.IncPatch }}`): each class lists them in `go_methods` (or `go_fields`), and
# the template engine looks them up with getattr. HelmValues maps `AsMap` to `_AsMap` and so on.
KubeVersion.GitVersion
KubeVersion.normalizedVersion
HelmValues._AsMap
HelmValues._PathValue
HelmValues._YAML
Files.GetBytes
Files.Get
Files.Glob
Files.AsConfig
Files.AsSecrets
Files.Lines
GoTime.Unix
GoTime.UnixMilli
GoTime.UnixNano
GoTime.Local
GoTime.Day
GoTime.Hour
GoTime.Minute
GoTime.Second
GoTime.Nanosecond
GoTime.YearDay
GoTime.Month
GoTime.Weekday
GoTime.IsZero
GoTime.Before
GoTime.After
GoTime.Equal
SemverVersion.Patch
SemverVersion.Prerelease
SemverVersion.Original
SemverVersion.Compare
SemverVersion.LessThan
SemverVersion.LessThanEqual
SemverVersion.GreaterThan
SemverVersion.GreaterThanEqual
SemverVersion.Equal
SemverVersion.IncMajor
SemverVersion.IncMinor
SemverVersion.IncPatch
SemverVersion.SetPrerelease
SemverVersion.SetMetadata

# API that tests, benchmarks and the docs use, though no other module of wavecd calls it yet:
# the helm command line of a render (bench/tree.py prints it; tests/apps hold it to Argo CD's order),
helm_arguments
# the digit-by-digit `%g` layout that tests hold format_v's repr-based fast path against,
shortest_g
# forgetting compiled templates, so benchmarks and tests measure a cold parse,
clear_cache
# Go's `t.Lookup(name) != nil` on a template set,
TemplateSet.has_template
# discovery of one kind, and watches (what the coming controller's cluster cache is built on; tests/kube),
KubeClient.resource_for
KubeClient.watch
# plan results documented in docs/plan.md (health gating at all; hooks mapped from Helm's annotations),
AppPlan.multi_step
Task.helm_hook
# each Application's own plan inside the tree plan (tests and the sync proofs read it),
TreePlan.app_plans
# the sim's log of the requests it served (tests/kube check what the client sent),
SimCluster.requests
# one try for the Lease, whose rules the leader-election tests check one attempt at a time on a manual clock,
LeaderElector.try_acquire_or_renew
# and the push half of the OCI client, with which the registry tests push charts into a real registry.
push_chart

# Argo CD's words that wavecd does not write yet but that its enums hold so the vocabulary is whole: the delete
# hooks (HookType is iterated to know every hook type Argo accepts).
HookType.PRE_DELETE
HookType.POST_DELETE
SyncPhase.PRE_DELETE
SyncPhase.POST_DELETE

# A token's role is made from the token file's and the command line's strings (`Role("readonly")`); the
# member is what they name.
Role.READONLY

# The jmespath package calls a Functions subclass's `_func_<name>` methods by the name a query uses, and its
# tree interpreter's `visit_<node type>` methods by the node's type.
KyvernoFunctions._func_compare
KyvernoFunctions._func_equal_fold
KyvernoFunctions._func_replace
KyvernoFunctions._func_replace_all
KyvernoFunctions._func_to_upper
KyvernoFunctions._func_to_lower
KyvernoFunctions._func_trim
KyvernoFunctions._func_trim_prefix
KyvernoFunctions._func_split
KyvernoFunctions._func_regex_replace_all
KyvernoFunctions._func_regex_replace_all_literal
KyvernoFunctions._func_regex_match
KyvernoFunctions._func_pattern_match
KyvernoFunctions._func_label_match
KyvernoFunctions._func_to_boolean
KyvernoFunctions._func_add
KyvernoFunctions._func_sum
KyvernoFunctions._func_subtract
KyvernoFunctions._func_multiply
KyvernoFunctions._func_divide
KyvernoFunctions._func_modulo
KyvernoFunctions._func_round
KyvernoFunctions._func_base64_decode
KyvernoFunctions._func_base64_encode
KyvernoFunctions._func_path_canonicalize
KyvernoFunctions._func_truncate
KyvernoFunctions._func_parse_json
KyvernoFunctions._func_parse_yaml
KyvernoFunctions._func_lookup
KyvernoFunctions._func_items
KyvernoFunctions._func_object_from_lists
KyvernoFunctions._func_sha256
_Interpreter.visit_field
_Interpreter.visit_subexpression
_Interpreter.visit_index_expression
_Interpreter.visit_or_expression
_Interpreter.visit_and_expression
_Interpreter.visit_not_expression
_Interpreter.visit_comparator
_Interpreter.visit_function_expression
_Interpreter.visit_filter_projection
_Interpreter.visit_projection
_Interpreter.visit_value_projection

# RE2's option read by the C++ library: errors are raised, not also logged to stderr.
Options.log_errors
