"""Plans: the TOML files that say who may be proposed, on what criteria, by when and to whom.

The schema lives in :mod:`bot.plans.schema`, the checking loader in :mod:`bot.plans.loader`
(the only way a plan gets into the bot), the readable summary in :mod:`bot.plans.summary`.
The file format is documented for plan writers in docs/plans.md.
"""

from bot.plans.fields import CRITERION_KINDS, SUBJECT_KINDS
from bot.plans.loader import (
    PlanError,
    load_plan_file,
    load_plan_text,
    load_preset,
    load_presets,
    plan_digest,
    plan_problems,
    plan_text_problems,
    preset_dir,
    preset_paths,
)
from bot.plans.schema import (
    Category,
    Criterion,
    Deadline,
    Period,
    Plan,
    PlanInfo,
    Quota,
)

__all__ = [
    "CRITERION_KINDS",
    "SUBJECT_KINDS",
    "Category",
    "Criterion",
    "Deadline",
    "Period",
    "Plan",
    "PlanError",
    "PlanInfo",
    "Quota",
    "load_plan_file",
    "load_plan_text",
    "load_preset",
    "load_presets",
    "plan_digest",
    "plan_problems",
    "plan_text_problems",
    "preset_dir",
    "preset_paths",
]
