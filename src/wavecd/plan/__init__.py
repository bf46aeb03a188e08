"""Order as pure functions: one app's sync plan and the tree's global order (`wavecd lint` judges them)."""

from wavecd.plan.app_plan import AppPlan, PlanOptions, Step, plan_app
from wavecd.plan.errors import PlanError
from wavecd.plan.hooks import HookInfo, hook_info
from wavecd.plan.kind_order import KIND_ORDER, kind_rank
from wavecd.plan.options import SyncOptions, app_sync_options, resource_sync_options
from wavecd.plan.selection import ResourceSelector, select_resources
from wavecd.plan.task import Task, TaskOptions
from wavecd.plan.tree_plan import TreePlan, TreeWave, node_plan, plan_tree

Plan = TreePlan

__all__ = [
    "KIND_ORDER",
    "AppPlan",
    "HookInfo",
    "Plan",
    "PlanError",
    "PlanOptions",
    "ResourceSelector",
    "Step",
    "SyncOptions",
    "Task",
    "TaskOptions",
    "TreePlan",
    "TreeWave",
    "app_sync_options",
    "hook_info",
    "kind_rank",
    "node_plan",
    "plan_app",
    "plan_tree",
    "resource_sync_options",
    "select_resources",
]
