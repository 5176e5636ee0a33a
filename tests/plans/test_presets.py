"""What every shipped preset must hold, whatever its document says."""

from __future__ import annotations

import re

import pytest

from bot.plans.loader import load_presets
from bot.plans.schema import Plan


@pytest.fixture(scope="module", params=load_presets(), ids=lambda plan: plan.id)
def preset(request: pytest.FixtureRequest) -> Plan:
    return request.param


def test_ids_are_plain_ascii_and_unique(preset: Plan) -> None:
    ids = [c.id for c in preset.categories] + [c.id for c in preset.all_criteria()]
    for value in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value), value
    assert len(ids) == len(set(ids))


def test_criteria_for_is_general_plus_own(preset: Plan) -> None:
    for category in preset.categories:
        for subject in ("individual", "household", "collective"):
            asked = preset.criteria_for(category.id, subject)
            if subject not in category.subjects:
                assert asked == ()
                continue
            own = [c for c in category.criteria if c.applies_to(subject)]
            assert own, (category.id, subject)
            assert asked == (*preset.criteria, *own)
