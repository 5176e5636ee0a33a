"""Presets: found by id, refused together, and what every shipped one must hold."""

from __future__ import annotations

import re

import pytest

from bot.plans import loader
from bot.plans.loader import (
    PlanError,
    load_plan_file,
    load_preset,
    load_presets,
    plan_problems,
    preset_paths,
)
from bot.plans.schema import Plan

from .conftest import VALID_PLAN, edit


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


def test_presets_found_by_id(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "preset_dir", lambda: tmp_path)
    assert loader.preset_paths() == []
    assert load_presets() == []
    (tmp_path / "b.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "a.toml").write_text(
        edit(VALID_PLAN, ('id = "xa-thu"', 'id = "xa-khac"')), encoding="utf-8"
    )
    assert [p.name for p in loader.preset_paths()] == ["a.toml", "b.toml"]
    assert load_preset("xa-thu").id == "xa-thu"
    assert [p.id for p in load_presets()] == ["xa-khac", "xa-thu"]
    with pytest.raises(KeyError):
        load_preset("khong-co")


def test_presets_refused_together(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "preset_dir", lambda: tmp_path)
    (tmp_path / "a.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "b.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "c.toml").write_text(edit(VALID_PLAN, ("max = 5", "max = 1")), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_presets()
    text = str(info.value)
    assert "b.toml: plan.id: plan id 'xa-thu' is also used by" in text
    assert "c.toml: quota[0].max: max 1 is below min 2" in text


_PRESETS = preset_paths()


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in _PRESETS]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no presets in bot/plans/presets yet"))],
)
def test_shipped_preset_loads(path):
    plan = load_plan_file(path)
    assert plan_problems(plan) == []
    assert path.stem == plan.id, "docs/plans.md: presets are named after their plan.id"
    assert load_preset(plan.id) == plan


def test_shipped_presets_have_distinct_ids():
    if not _PRESETS:
        pytest.skip("no presets in bot/plans/presets yet")
    plans = load_presets()
    assert len({p.id for p in plans}) == len(plans) == len(_PRESETS)
