"""The 通报-style summary: table-driven over ahead of pace, behind pace, all done, nothing reported, monitored only."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.plan.models import load_plan
from kpi.report import summary
from kpi.status import StatusRow
from tests.conftest import PLAN_FILE

AS_OF = dt.date(2023, 9, 30)  # half of 2023-H2 elapsed: 序时进度 50%


def row(code: str, status: str, actual=None, target=None, progress=None, expected=None, own_target=False,
        kind="count", due=None, done_on=None) -> StatusRow:
    return StatusRow(indicator=code, area=code.split("-")[0], kind=kind, direction="at_least", period="2023-H2",
                     status=status, actual=actual, target=target, progress=progress, expected=expected,
                     own_target=own_target, due=due, done_on=done_on)


CASES = {
    "ahead of pace": (
        [row("INV-EVENTS", "on_track", 5, 6, 5 / 6, 3), row("INV-VISITS", "on_track", 14, 20, 0.7, 10),
         row("INV-FIRMS", "met", 100, 100, 1.0, 100, own_target=True), row("INV-MAJOR-PROJ", "no_target", 4)],
        "截至2023年9月30日，招商引资领域3项指标中已完成1项（占33%）、符合序时进度2项、落后或未完成0项，平均完成率84%，"
        "高于序时进度34个百分点（序时进度50%）。",
        "As of 30 Sep 2023, Investment promotion: 1 of 3 indicators done (33%), 2 on track, 0 behind or missed; "
        "average completion 84%, 34 percentage points ahead of the time elapsed (50%)."),
    "behind pace": (
        [row("INV-EVENTS", "off_track", 1, 6, 1 / 6, 3), row("INV-VISITS", "at_risk", 6, 20, 0.3, 10)],
        "截至2023年9月30日，招商引资领域2项指标中已完成0项（占0%）、符合序时进度0项、落后或未完成2项，平均完成率23%，"
        "低于序时进度27个百分点（序时进度50%）。落后或未完成的是：市外招商活动（实际1场，目标3场）、"
        "精准上门招商（实际6次，目标10次）。",
        "As of 30 Sep 2023, Investment promotion: 0 of 2 indicators done (0%), 0 on track, 2 behind or missed; "
        "average completion 23%, 27 percentage points behind the time elapsed (50%). Behind or missed: Out-of-city "
        "investment promotion events (actual 1 events, target 3 events); Targeted door-to-door investment visits "
        "(actual 6 visits, target 10 visits)."),
    "level with pace": (
        [row("INV-EVENTS", "on_track", 3, 6, 0.5, 3)],
        "截至2023年9月30日，招商引资领域1项指标中已完成0项（占0%）、符合序时进度1项、落后或未完成0项，平均完成率50%，"
        "与序时进度持平（序时进度50%）。",
        "As of 30 Sep 2023, Investment promotion: 0 of 1 indicators done (0%), 1 on track, 0 behind or missed; "
        "average completion 50%, in line with the time elapsed (50%)."),
    "all done": (
        [row("INV-EVENTS", "met", 6, 6, 1.0, 6, own_target=True),
         row("INV-CONTEST", "done", 1, 1, 1.0, kind="milestone", due="2023-12-31", done_on="2023-09-01")],
        "截至2023年9月30日，招商引资领域2项指标已全部完成。",
        "As of 30 Sep 2023, all 2 indicators of Investment promotion are done."),
    "nothing reported": (
        [row("INV-EVENTS", "no_data", None, 6), row("INV-VISITS", "no_data", None, 20)],
        "截至2023年9月30日，招商引资领域2项指标暂无上报数据。",
        "As of 30 Sep 2023, nothing has been reported for the 2 indicators of Investment promotion."),
    "monitored only": (
        [row("INV-MAJOR-PROJ", "no_target", 4), row("INV-EUROPE", "no_target", None)],
        "截至2023年9月30日，招商引资领域2项均为监测指标，已上报1项数据，不作完成情况评判。",
        "As of 30 Sep 2023, the 2 indicators of Investment promotion are all monitored: 1 reported, none judged "
        "against a target."),
    "only milestones, not yet due": (
        [row("INV-CONTEST", "pending", 0, 1, 0.0, kind="milestone", due="2023-12-31")],
        "截至2023年9月30日，招商引资领域1项指标中已完成0项，其余尚未到期。",
        "As of 30 Sep 2023, Investment promotion: 0 of 1 indicators done, the rest not yet due."),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_area_sentence(case, lang):
    rows, zh, en = CASES[case]
    plan = load_plan(PLAN_FILE)
    name = plan.area("INV").name.get(lang)
    assert summary.area_sentence(plan, name, rows, 0.5, AS_OF, lang) == (zh if lang == "zh" else en)


def test_overall_and_report_text():
    plan = load_plan(PLAN_FILE)
    rows = CASES["ahead of pace"][0] + [row("HK-BASES", "on_track", 3, 3, 1.0, 3)]
    overall, areas = summary.summarize(plan, rows, 0.5, AS_OF, "zh")
    assert overall == ("截至2023年9月30日，罗湖区科技创新局2023年下半年工作计划共5项工作，"
                       "其中4项有目标或节点：已完成1项、符合序时进度3项、落后或未完成0项（其中0项待说明），"
                       "平均完成率88%，高于序时进度38个百分点（序时进度50%）。")
    text = summary.report_text(overall, areas, "zh")
    assert text.startswith(overall + "\n\n一、招商引资\n截至2023年9月30日，招商引资领域3项指标")
    assert "\n二、深港科技创新合作\n" in text and "\n六、企业服务\n" in text
