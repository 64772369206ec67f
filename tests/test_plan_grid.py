"""A new plan's grids and starts (kpi/plan/grid.py, kpi/plan/start.py): a draft as areas and items tables and back,
every problem at its grid row and column, review flags settled by a tick or a change; the starts from text, files and
a plan carried forward; a new plan's id taken is refused by the store inside the write."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.plan import grid, start
from kpi.plan.carry import next_spans
from kpi.plan.cells import plan_from_xlsx
from kpi.plan.draft import Draft, draft_plan
from kpi.plan.dump import plan_data, plan_yaml
from kpi.plan.models import load_plan, parse_plan_text
from kpi.plan.workbook import plan_to_xlsx
from kpi.store import StoreConflict
from tests.conftest import EDITOR, PLAN_FILE, ROOT

SEED = ROOT / "data" / "plans" / "source" / "2023-H2-luohu-sti.txt"  # the real seed (tests/data/drafts/README.md)
SEED_TEXT = SEED.read_text(encoding="utf-8")
AREAS = ["招商引资", "香港科技创新的合作交流", "创新指标提升工程", "科普", "人才", "服务企业"]


@pytest.fixture(scope="module")
def seed() -> dict:
    return draft_plan(SEED_TEXT).data


def _grids(data: dict, lang: str = "zh"):
    areas = grid.area_frame(data, lang)
    return areas, grid.item_frame(data, lang, list(areas["code"]))


def _read(data: dict, areas, items, **fields):
    return grid.read_grids(data, {**grid.plan_fields(data), **fields}, areas, items)


def _row(items, code: str) -> int:
    return int(items.index[items["code"] == code][0])


def test_the_seed_draft_is_six_areas_and_an_item_per_row_with_its_flags_and_source(seed):
    areas, items = _grids(seed)
    assert areas["name"].tolist() == AREAS and list(areas.index) == [1, 2, 3, 4, 5, 6]
    assert areas["review"].tolist() == ["名称、编码"] * 6 and not areas["checked"].any()
    assert len(items) == sum(len(a["items"]) for a in seed["areas"]) == 45
    first = items.loc[1]
    assert (first["area"], first["code"], first["kind"], first["due"]) == (
        "ZSYZ", "ZSYZ-WCZDCY", "milestone", dt.date(2023, 12, 31))
    assert first["review"] == "名称、类型、截止日期" and first["source"].startswith("围绕意向用地企业")
    assert grid.item_frame(seed, "en")["review"].iloc[0] == "Name, Kind, Due"
    events = items[items["source"].str.contains("不少于6场", regex=False)].iloc[0]
    assert (events["target"], events["unit"]) == ("6", "场")


@pytest.mark.parametrize("which", ["seed", "2023-H2", "2024"])
def test_unchanged_grids_give_back_the_same_plan(seed, which):
    data = seed if which == "seed" else plan_data(load_plan(ROOT / "data" / "plans" / f"{which}.yaml"))
    areas, items = _grids(data)
    result = _read(data, areas, items)
    expected = draft_plan(SEED_TEXT).plan if which == "seed" else load_plan(ROOT / "data" / "plans" / f"{which}.yaml")
    assert result.cells == [] and result.plan == expected


def test_a_changed_field_settles_its_flag_and_a_tick_settles_the_row(seed):
    areas, items = _grids(seed)
    result = _read(seed, areas, items)
    assert result.open == 51 and result.flags[("items", 2)] == ["name", "kind", "unit"]
    items.loc[2, "kind"] = "stock"  # corrects a guessed kind
    items.loc[3, "checked"] = True
    areas.loc[1, "checked"] = True
    result = _read(seed, areas, items)
    assert result.flags[("items", 2)] == ["name", "unit"] and result.flags[("items", 3)] == []
    assert result.flags[("areas", 1)] == [] and result.open == 49
    plan = result.plan
    assert plan.areas[0].items[1].kind == "stock" and plan.areas[0].items[1].review == ["name", "unit"]
    assert plan.areas[0].items[2].review == [] and plan.areas[0].review == []


def test_renaming_an_area_renames_its_items_codes_and_an_edited_code_is_kept(seed):
    areas, _ = _grids(seed)
    areas.loc[1, "code"] = "INV"
    items = grid.item_frame(seed, "zh", list(areas["code"]))
    assert items.loc[1, "code"] == "INV-WCZDCY" and items.loc[1, "area"] == "INV"
    assert items.loc[1, "review"] == "名称、类型、截止日期"  # an area renamed is not the item's code checked
    items.loc[3, "code"] = "INV-TARGET-LIST"
    plan = _read(seed, areas, items).plan
    assert plan.areas[0].code == "INV" and plan.areas[0].review == ["name"]
    assert [i.code for i in plan.areas[0].items[:3]] == ["INV-WCZDCY", "INV-DJYDJJ", "INV-TARGET-LIST"]


def test_every_problem_is_at_its_grid_row_and_column_in_both_languages(seed):
    areas, items = _grids(seed)
    items.loc[1, "due"] = "2024-02-01"  # outside the plan span
    items.loc[5, "target"] = "约六场"  # not a number
    items.loc[6, "code"] = items.loc[4, "code"]  # a duplicate code
    items.loc[7, "code"] = "zsyz-x"  # the wrong form
    areas.loc[2, "code"] = "ZSYZ"  # a duplicate area
    result = _read(seed, areas, items, id="2023 H2")
    assert result.plan is None
    at = {(c.grid, c.row, c.column): c.problem for c in result.cells}
    assert at[("items", 1, "due")].text("en") == "2024-02-01 is outside the plan span 2023-07-01 to 2023-12-31"
    assert at[("items", 5, "target")].text("zh") == "“约六场”不是目标：请填写数字（如 12），区间写成 90–100"
    assert at[("items", 6, "code")].text("en") == f"duplicate code {items.loc[4, 'code']} (also row 4)"
    assert at[("items", 7, "code")].text("en").startswith("a code is capital letters and digits")
    assert at[("areas", 2, "code")].text("zh") == "领域编码 ZSYZ 重复（另见 第1行）"
    assert at[("plan", None, "id")].text("zh") == "计划编号只能用字母、数字和 . _ -，如 2024 或 2024-H1"
    shown = grid.shown(items, result, "items", "zh")
    assert shown.loc[5, "problem"] == "目标：“约六场”不是目标：请填写数字（如 12），区间写成 90–100"
    assert shown.loc[2, "problem"] == ""
    table = grid.cells_table(result.cells, "en")
    assert list(table.columns) == ["Table", "Row", "Column", "Problem and what to do"]
    assert ["Items", "5", "Target"] in table.iloc[:, :3].values.tolist()


def test_removed_rows_leave_the_plan_an_area_with_its_items(seed):
    areas, items = _grids(seed)
    items.loc[1, "drop"] = True
    areas.loc[6, "drop"] = True
    plan = _read(seed, areas, items).plan
    assert [a.name.zh for a in plan.areas] == AREAS[:5]
    assert plan.areas[0].items[0].code == "ZSYZ-DJYDJJ"
    assert len(plan.indicators()) == 45 - 1 - len(seed["areas"][5]["items"])


def test_an_area_left_empty_and_an_item_in_an_unknown_area_are_named(seed):
    areas, items = _grids(seed)
    items.loc[items["area"] == "KP", "area"] = "RC"
    items.loc[1, "area"] = "NOPE"
    result = _read(seed, areas, items)
    at = {(c.grid, c.row, c.column): c.problem.text("en") for c in result.cells}
    assert at[("areas", 4, "name")] == "this area has no items: set at least one item's Area to it, or tick Remove"
    assert at[("items", 1, "area")].startswith("area NOPE is not in the table of areas: choose one of ZSYZ")
    assert ("items", _row(items, items[items["area"] == "RC"]["code"].iloc[0]), "code") in at  # KP- under RC


def test_a_range_target_reads_back_and_the_title_flag_settles_by_a_tick_or_a_new_title():
    carried = start.from_plan(load_plan(PLAN_FILE), "2024-H1").data
    assert carried["review"] == ["title"]
    areas, items = _grids(carried)
    events = _row(items, "INV-EVENTS")
    items.loc[events, "direction"] = "range"
    items.loc[events, "target"] = "4–6"
    result = _read(carried, areas, items)
    assert result.plan.indicator("INV-EVENTS").target.low == 4 and result.plan_flags == ["title"]
    assert _read(carried, areas, items, checked=True).plan.review == []
    assert _read(carried, areas, items, title="2024年上半年工作计划").plan.review == []


# --- where a new plan starts -----------------------------------------------------------------------

def test_a_text_without_its_period_asks_for_it_and_takes_it():
    text = SEED_TEXT.replace("2023年下半年工作计划", "工作计划")
    failed = start.from_text(text)
    assert failed.data is None and [p.key for p in failed.problems] == ["draft.no_span"]
    assert start.problems_table(failed.problems, "en").iloc[0, 1].startswith("the title does not say the plan's period")
    assert start.from_text(text, " 2023-H2 ").data["span"]["start"] == dt.date(2023, 7, 1)
    assert start.from_text("   ").problems[0].key == "draft.no_text"


def test_a_workbook_and_a_yaml_file_are_read_as_they_are():
    plan = load_plan(PLAN_FILE)
    for data, name in ((plan_to_xlsx(plan), "plan.xlsx"), (plan_yaml(plan).encode(), "plan.yaml")):
        begun = start.from_file(data, name)
        assert begun.problems == [] and begun.origin == name
        areas, items = _grids(begun.data)
        assert _read(begun.data, areas, items).plan == plan


def test_a_bad_file_says_where_and_drafts_nothing():
    begun = start.from_file(b"id: x\nareas: [\n", "plan.yaml")
    assert begun.data is None and begun.problems[0].key == "plan.not_yaml"
    assert start.problems_table(begun.problems, "zh").iloc[0, 0].startswith("第")
    assert start.from_file(b"not a zip", "plan.docx").problems[0].key == "draft.unreadable"
    assert start.from_file(SEED_TEXT.encode("gb18030"), "计划.txt").data["areas"][0]["name"] == "招商引资"


def test_carrying_forward_offers_the_next_spans_and_refuses_an_earlier_one():
    plan = load_plan(PLAN_FILE)
    assert next_spans(plan) == ["2024-H1", "2024-H2", "2024", "2024-Q1"]
    assert next_spans(load_plan(ROOT / "data" / "plans" / "2024.yaml"))[:2] == ["2025", "2026"]
    begun = start.from_plan(plan, "2024-H1", new_id="2024-H1-draft")
    assert begun.data["id"] == "2024-H1-draft" and begun.origin == "2023-H2 → 2024-H1-draft" and begun.notes
    assert start.from_plan(plan, "2023-Q1").problems[0].key == "carry.not_later"
    assert start.from_plan(plan, "someday").problems[0].key == "draft.bad_span"


def test_a_new_plan_whose_id_is_taken_is_refused_inside_the_write(store):
    plan = store.plan("2023-H2")
    version = store.data_version()
    with pytest.raises(StoreConflict):
        store.save_plan(plan.model_copy(update={"title": plan.title.model_copy(update={"zh": "另一份"})}), EDITOR,
                        new=True)
    assert store.data_version() == version and store.plan("2023-H2") == plan
    other = plan.model_copy(update={"id": "2023-H2-b"})
    assert store.save_plan(other, EDITOR, new=True) == (1, True)


def test_the_draft_downloads_read_back_as_the_plan_the_grids_make(seed):
    """What the page offers: the YAML (any time) and the workbook (once it validates), each read back the same."""
    areas, items = _grids(seed)
    areas.loc[1, "code"] = "INV"
    items = grid.item_frame(seed, "zh", list(areas["code"]))
    items.loc[2, "kind"] = "stock"
    items.loc[3, "checked"] = True
    result = _read(seed, areas, items, id="luohu-draft")
    assert parse_plan_text(Draft(result.raw, result.plan).to_yaml("zh")) == result.plan
    assert plan_from_xlsx(plan_to_xlsx(result.plan)) == (result.plan, [])
    items.loc[4, "target"] = "约六场"  # a draft with a problem still downloads as YAML, the problem in it
    broken = _read(seed, areas, items)
    assert broken.plan is None and [(c.row, c.column) for c in broken.cells] == [(4, "target")]
    assert "target: 约六场" in Draft(broken.raw, None).to_yaml("en")
