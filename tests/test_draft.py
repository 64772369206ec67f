"""Drafting a plan from its text (`kpi/plan/draft.py`, `python -m kpi plan draft`), measured on the real seed.

The seed is the text of 罗湖区科技创新局2023年下半年工作计划; the hand-made plan for it is data/plans/2023-H2.yaml.
The draft must find its six areas with their headings, its six quantified commitments with the right numbers
and recurrence, its two baselines as baselines, and no target from a number that is not a commitment; the YAML
it writes passes `plan check` as it is; a .docx and a .pdf of the same text give the same draft.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
import yaml

from kpi.i18n import CATALOGUE
from kpi.plan.documents import read_document
from kpi.plan.draft import area_name, draft_plan, initials
from kpi.plan.models import load_plan, parse_plan_text
from kpi.plan.outline import outline, unwrap
from kpi.plan.quantities import cn_number, due_date, quantities
from tests.conftest import ROOT, run_cli

SEED = ROOT / "data" / "plans" / "source" / "2023-H2-luohu-sti.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
HAND = load_plan(ROOT / "data" / "plans" / "2023-H2.yaml")


@pytest.fixture(scope="module")
def seed():
    return draft_plan(SEED_TEXT, source=str(SEED.relative_to(ROOT)))


# --- the parsers, table-driven -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("12", 12), ("2.8", 2.8), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
    ("一千二百", 1200), ("三万", 30000), ("一万五千", 15000), ("abc", None), ("", None),
])
def test_numbers_in_digits_and_in_chinese(text, value):
    assert cn_number(text) == value


@pytest.mark.parametrize(("clause", "expected"), [
    ("开展市外招商活动不少于6场", [(6, "场", "target", "at_least", None)]),
    ("每月开展至少一场国高培训会", [(1, "场", "target", "at_least", "month")]),
    ("每季度不低于2场培训活动", [(2, "场", "target", "at_least", "quarter")]),
    ("局领导班子每半年专题研究科技工作不少于一次", [(1, "次", "target", "at_least", "half")]),
    ("每年组织企业参加交易会不少于2次", [(2, "次", "target", "at_least", "year")]),
    ("已梳理25家目标企业清单", [(25, "家", "baseline", "at_least", None)]),
    ("目前全市拥有省级以上创新平台86个", [(86, "个", "baseline", "at_least", None)]),
    ("科技政策兑现时限压缩至30个工作日以内", [(30, "个工作日", "target", "at_most", None)]),
    ("带动全社会研发经费投入增长12%以上", [(12, "%", "target", "at_least", None)]),
    ("技术合同成交额力争突破150亿元", [(150, "亿元", "target", "at_least", None)]),
    ("举办第七届罗湖区大梧桐创新创业大赛", []),  # an ordinal
    ("梳理近三年香港重点支持的高校科研项目", []),  # a span of years
    ("以2022年已落地的香港为基础", []),  # a year
    ("对首次认定的高新技术企业给予一次性奖励", []),  # 一次性: a word
    ("对拟申报企业开展“一对一”辅导", []),  # inside quotes: a name
    ("围绕电子信息、生物医药、新材料三大主导产业", []),  # a count inside a name
    ("推动江城实验室（一期）6月底前建成投入使用", []),  # 一期: part of a name; 6月: a date
    ("各股室每月10日前报送上月工作进展", []),  # a recurring deadline, not a quantity
    ("围绕20个重点产业链开展精准招商", [(20, "个", "ignore", "at_least", None)]),  # the setting, not the measure
])
def test_which_numbers_are_commitments(clause, expected):
    found = [(q.value, q.unit, q.role, q.direction, q.every) for q in quantities(clause)]
    assert found == expected


H2 = (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
Y2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize(("clause", "span", "due"), [
    ("推动江城实验室6月底前建成投入使用", Y2024, dt.date(2024, 6, 30)),
    ("年底前完成主体工程封顶", Y2024, dt.date(2024, 12, 31)),
    ("6月30日前出台管理办法", Y2024, dt.date(2024, 6, 30)),
    ("9月举办总决赛", Y2024, dt.date(2024, 9, 30)),
    ("办好第十二届全县科技活动周（5月）", Y2024, dt.date(2024, 5, 31)),
    ("上半年完成系统上线", Y2024, dt.date(2024, 6, 30)),
    ("第三季度完成验收", H2, dt.date(2023, 9, 30)),
    ("十一月底前完成自评", H2, dt.date(2023, 11, 30)),
    ("5月前完成遴选", Y2024, dt.date(2024, 4, 30)),
    ("6月底前完成遴选", H2, None),  # before the span: not a due date of this plan
    ("各股室每月10日前报送上月工作进展", Y2024, None),  # recurring
    ("完成重点产业项目遴选", H2, None),
])
def test_due_dates(clause, span, due):
    found = due_date(clause, *span)
    assert (found[0] if found else None) == due


def test_codes_are_pinyin_initials_and_area_names_drop_the_verbs():
    assert initials("招商引资", 4) == "ZSYZ"
    assert initials("科普e站宣传", 6) == "KPEZXC"
    assert area_name("进一步加大招商引资力度") == "招商引资"
    assert area_name("强化人才支撑") == "人才"
    assert area_name("丰富科普形式") == "科普"


def test_outline_takes_the_parts_of_a_section_as_areas_and_keeps_the_rest():
    shape = outline("某县2024年工作要点\n一、主要目标\n新增企业10家。\n二、重点任务\n（一）培育主体。实施计划。\n"
                    "（二）建设平台\n新建中心4家。\n三、保障措施\n加强领导。")
    assert [a.heading for a in shape.areas] == ["主要目标", "培育主体", "建设平台", "保障措施"]
    assert shape.areas[1].paragraphs == ["实施计划。"]
    assert shape.title == "某县2024年工作要点"


def test_unwrap_joins_the_lines_a_pdf_broke_and_keeps_paragraphs():
    text = ("深圳市某区人民政府\n某局2024年工作计划\n  一、加大招商力度\n  一是加快遴选。围绕意向企业,尽快推\n"
            "动完成项目遴选。已梳理25家目标企\n业清单。\n  二是加强走出去。\n")
    lines = unwrap(text).split("\n")
    assert "  一是加快遴选。围绕意向企业,尽快推动完成项目遴选。已梳理25家目标企业清单。" in lines
    assert "深圳市某区人民政府" in lines and "某局2024年工作计划" in lines and "  二是加强走出去。" in lines


# --- the seed: what a careful reader finds ----------------------------------------------------------

def test_the_seed_gives_its_six_areas_with_their_headings(seed):
    assert seed.ok, [p.message("en") for p in seed.problems]
    plan = seed.plan
    assert [a.heading.zh for a in plan.areas] == [a.heading.zh for a in HAND.areas]
    assert (plan.id, plan.span.start, plan.span.end) == ("2023-H2", dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert plan.title.zh == "罗湖区科技创新局2023年下半年工作计划" and plan.published == dt.date(2023, 7, 10)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]*", a.code) for a in plan.areas)
    assert all(a.review for a in plan.areas)  # the names and codes are proposals


def _targets(plan) -> list[tuple]:
    return sorted((i.target, i.every, i.unit.zh if i.unit else None) for i in plan.indicators()
                  if i.target is not None)


def test_the_seed_gives_its_six_quantified_commitments_and_no_other_target(seed):
    assert _targets(seed.plan) == sorted([
        (6, None, "场"),  # 市外招商活动不少于6场
        (20, None, "次"),  # 精准上门招商不少于20次
        (100, None, "家"),  # 重点企业不少于100家
        (1, "month", "场"),  # 每月开展至少一场国高培训会
        (2, "quarter", "场"),  # 每季度不低于2场培训活动
        (1, "quarter", "次"),  # 每季度不少于1次企业走访对接服务
    ])
    assert _targets(seed.plan) == _targets(HAND)  # the hand-made plan's, exactly
    for item in seed.plan.indicators():
        if item.target is not None:
            assert item.direction == "at_least" and "target" in item.review
            assert re.search(r"\d|一", item.source), item.source


def test_the_seed_gives_its_two_baselines_as_baselines_not_targets(seed):
    baselines = {i.baseline.value: i for i in seed.plan.indicators() if i.baseline and i.baseline.value}
    assert set(baselines) == {25, 139}
    for value, item in baselines.items():
        assert item.target is None and not item.targets and item.kind == "stock", item
        assert f"{value:g}家" in item.source and "baseline" in item.review
        assert item.baseline.date == dt.date(2023, 7, 10)  # as of the day the plan was published


def test_no_number_that_is_not_a_commitment_becomes_a_target_or_a_baseline(seed):
    numbers = Counter(i.target for i in seed.plan.indicators() if i.target is not None)
    numbers.update(i.baseline.value for i in seed.plan.indicators() if i.baseline)
    for value in (2023, 2022, 7, 3):  # 2023年度, 2022年, 第七届, 近三年
        assert value not in numbers


def test_every_item_quotes_the_text_verbatim_and_is_flagged(seed):
    assert len(seed.plan.indicators()) >= 30
    for item in seed.plan.indicators():
        assert item.source in SEED_TEXT, item.source
        assert {"name", "kind"} <= set(item.review), item.code
        if item.kind == "milestone":
            assert item.due and (item.note or "due" not in item.review)


def test_milestones_the_text_does_not_date_are_due_at_the_end_or_in_their_events_month(seed):
    due = {i.name.zh: i.due for i in seed.plan.indicators() if i.kind == "milestone"}
    assert due["全国科普日系列活动"] == dt.date(2023, 9, 30)  # held every September
    assert due["完成重点产业项目遴选"] == dt.date(2023, 12, 31)


def test_the_draft_covers_the_work_of_the_hand_made_plan(seed, capsys):
    """Most hand-made items are drafted from the same words (a figure, printed; the draft proposes, a person
    decides)."""
    drafted = [i.source for i in seed.plan.indicators()]
    covered = [h.code for h in HAND.indicators() if any(_overlap(h.source, d) for d in drafted)]
    share = len(covered) / len(HAND.indicators())
    with capsys.disabled():
        print(f"\nhand-made items of 2023-H2 drafted from the same words: {len(covered)}/{len(HAND.indicators())} "
              f"({share:.0%}); drafted items: {len(drafted)}")
    assert share >= 0.8


def _overlap(a: str, b: str) -> bool:
    a, b = a.strip("。"), b.strip("。")
    return a in b or b in a


def test_codes_are_stable_and_the_yaml_is_the_plan(seed):
    again = draft_plan(SEED_TEXT, source=str(SEED.relative_to(ROOT)))
    assert again.data == seed.data
    assert parse_plan_text(seed.to_yaml("zh"), "draft.yaml") == seed.plan
    codes = [i.code for i in seed.plan.indicators()]
    assert len(set(codes)) == len(codes)


# --- the command ---------------------------------------------------------------------------------------

def test_plan_draft_writes_a_file_plan_check_accepts_as_it_is(tmp_path):
    out_file = tmp_path / "draft.yaml"
    out = run_cli("plan", "draft", str(SEED), "-o", str(out_file), "--lang", "zh")
    assert out.returncode == 0, out.stderr
    assert "计划草稿 2023-H2，6 个领域" in out.stdout and "6 个数值目标" in out.stdout
    assert out_file.read_text(encoding="utf-8").startswith("# 计划草稿")
    check = run_cli("plan", "check", str(out_file))
    assert check.returncode == 0, check.stderr
    assert "ok (2023-H2, 6 areas" in check.stdout and "guesses of the draft still to confirm" in check.stdout
    db = tmp_path / "d.duckdb"
    refused = run_cli("plan", "load", str(out_file), "--db", str(db))
    assert refused.returncode == 1 and "to confirm: name, kind" in refused.stderr


def test_plan_draft_to_stdout_with_an_id_and_a_span_given(tmp_path):
    out = run_cli("plan", "draft", str(SEED), "--id", "luohu-h2", "--span", "2023-H2")
    assert out.returncode == 0, out.stderr
    data = yaml.safe_load(out.stdout)
    assert data["id"] == "luohu-h2" and data["span"] == {"start": dt.date(2023, 7, 1), "end": dt.date(2023, 12, 31)}
    assert "draft plan luohu-h2" in out.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_draft_asks_for_the_span_when_the_title_has_none(tmp_path, lang):
    text = tmp_path / "plan.txt"
    text.write_text("某局工作安排\n\n一、招商引资\n\n开展招商活动不少于6场。\n", encoding="utf-8")
    out = run_cli("plan", "draft", str(text), "--lang", lang)
    assert out.returncode == 2 and "--span" in out.stderr
    assert ("计划期" if lang == "zh" else "period") in out.stderr
    bad = run_cli("plan", "draft", str(text), "--span", "2024-07", "--lang", lang)
    assert bad.returncode == 2 and "2024-07" in bad.stderr
    good = run_cli("plan", "draft", str(text), "--span", "2024-H1", "-o", str(tmp_path / "d.yaml"))
    assert good.returncode == 0, good.stderr
    assert load_plan(tmp_path / "d.yaml").indicators()[0].target == 6


@pytest.mark.parametrize(("name", "data", "key"), [
    ("plan.doc", b"\xd0\xcf\x11\xe0", "draft.file_type"),
    ("plan.docx", b"not a zip", "draft.unreadable"),
    ("plan.pdf", b"%PDF-1.4 broken", "draft.unreadable"),
    ("plan.txt", b"   \n\n", "draft.no_text"),
])
def test_a_file_it_cannot_read_says_so_in_both_languages(name, data, key):
    text, problems = read_document(data, name)
    assert text == "" and [p.key for p in problems] == [key]
    assert problems[0].message("zh") != problems[0].message("en")


def test_a_text_without_work_or_without_text_is_a_problem_not_a_plan():
    assert [p.key for p in draft_plan("").problems] == ["draft.no_text"]
    nothing = draft_plan("某局2024年工作计划\n\n知识图谱\n\n返回", span=None)
    assert nothing.plan is None and [p.key for p in nothing.problems] == ["draft.no_items"]


def test_plan_draft_exit_1_on_an_unreadable_file(tmp_path):
    bad = tmp_path / "plan.docx"
    bad.write_bytes(b"not a zip")
    out = run_cli("plan", "draft", str(bad), "--lang", "zh")
    assert out.returncode == 1 and "无法读取文件 plan.docx" in out.stderr


def test_every_draft_key_of_the_catalogue_is_used():
    code = "".join((ROOT / p).read_text(encoding="utf-8") for p in (
        "kpi/plan/draft.py", "kpi/plan/reading.py", "kpi/plan/documents.py", "kpi/setup.py", "kpi/cli.py"))
    for key in [k for k in CATALOGUE if k.startswith("draft.") and not k.startswith("draft.grain.")]:
        assert f'"{key}"' in code, key
    assert 'f"draft.grain.{every}"' in code


# --- the same draft from .txt, .docx and .pdf --------------------------------------------------------

def _docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _wrap(line: str, width: int) -> list[str]:
    """A paragraph as a page sets it: lines of ``width`` characters (its indent kept on the first), never
    broken next to a space (a PDF drops the space a line ends or starts with)."""
    indent = line[:len(line) - len(line.lstrip())]
    body, out = line.strip(), []
    while len(body) > width:
        cut = width
        while body[cut - 1] == " " or body[cut] == " ":
            cut -= 1
        out.append(body[:cut])
        body = body[cut:]
    return [indent + (out[0] if out else body)] + out[1:] + ([body] if out else [])


def _pdf(text: str) -> bytes:
    """The text set on A4 pages in STSong-Light (a CID font every PDF reader has, so nothing is embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    top, y = A4[1] - 60, A4[1] - 60
    for line in text.split("\n"):
        for part in _wrap(line, 38) if line.strip() else [""]:
            if y < 60:
                page.showPage()
                y = top
            page.setFont("STSong-Light", 11)
            page.drawString(50, y, part)
            y -= 16
    page.save()
    return buf.getvalue()


def _same(a, b) -> None:
    assert a.ok and b.ok
    assert {k: v for k, v in a.data.items() if k != "source"} == {k: v for k, v in b.data.items() if k != "source"}


def test_a_docx_of_the_seed_gives_the_same_draft(seed, tmp_path):
    text, problems = read_document(_docx(SEED_TEXT), "plan.docx")
    assert problems == []
    _same(seed, draft_plan(text))
    path = tmp_path / "plan.docx"
    path.write_bytes(_docx(SEED_TEXT))
    out = run_cli("plan", "draft", str(path), "-o", str(tmp_path / "docx.yaml"))
    assert out.returncode == 0, out.stderr


def test_a_pdf_of_the_seed_gives_the_same_draft(seed, tmp_path):
    from pypdf import PdfReader

    data = _pdf(SEED_TEXT)
    raw = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    assert "罗湖区科技创新局2023年下半年工作计划\n来源:罗湖区科技创新局 发布时间:2023-07-10" in raw  # read back
    text, problems = read_document(data, "plan.pdf")
    assert problems == []
    paragraph = next(line.strip() for line in SEED_TEXT.split("\n") if line.strip().startswith("二是加强走出去"))
    assert paragraph not in raw and paragraph in text  # the page broke it into lines; the reader joins them
    _same(seed, draft_plan(text))
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    out = run_cli("plan", "draft", str(path), "-o", str(tmp_path / "pdf.yaml"))
    assert out.returncode == 0, out.stderr
    assert yaml.safe_load((tmp_path / "pdf.yaml").read_text(encoding="utf-8"))["areas"] == yaml.safe_load(
        seed.to_yaml())["areas"]


def test_pasted_text_copied_from_a_pdf_is_joined_again_and_gives_the_same_draft(seed):
    """The page takes pasted text: copied from a PDF viewer it keeps the page's line breaks."""
    from pypdf import PdfReader

    from kpi.plan.outline import looks_wrapped

    raw = "\n".join(p.extract_text().rstrip("\n") for p in PdfReader(io.BytesIO(_pdf(SEED_TEXT))).pages)
    assert looks_wrapped(raw) and not looks_wrapped(SEED_TEXT)
    for name in ("city-2024", "county-2024", "district-commerce-2024-H1", "city-industry-2025"):
        assert not looks_wrapped((ROOT / "tests" / "data" / "drafts" / f"{name}.txt").read_text(encoding="utf-8"))
    _same(seed, draft_plan(raw))


def test_plan_draft_reads_standard_input(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "kpi", "plan", "draft", "-", "--lang", "zh"], cwd=ROOT,
                         input=SEED_TEXT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert parse_plan_text(out.stdout, "-").areas[0].heading.zh == "进一步加大招商引资力度"
    assert "source" not in yaml.safe_load(out.stdout) and "粘贴的文字" in out.stdout.splitlines()[0]


def test_a_minimum_per_year_in_a_half_year_plan_is_the_halfs_target_with_a_note():
    draft = draft_plan("某局2024年上半年工作计划\n一、活动\n每年组织企业参加交易会不少于2次；每半年召开一次调度会；"
                       "每月报送一次进展。")
    assert draft.ok, [p.message("en") for p in draft.problems]
    fair, meeting, report = draft.plan.indicators()
    assert (fair.target, fair.every) == (2, None) and "每年的最低要求" in fair.note.zh and fair.note.en
    assert (meeting.target, meeting.every) == (1, "half") and (report.target, report.every) == (1, "month")


def test_a_text_without_sections_takes_its_yi_shi_paragraphs_as_areas_else_one_area():
    leads = draft_plan("某区科技局2025年工作要点\n一是加强招商，全年举办招商活动不少于5场。\n"
                       "二是优化服务。企业诉求办结率达到98%；年底前建成创新中心。")
    assert leads.ok, [p.message("en") for p in leads.problems]
    assert [a.heading.zh for a in leads.plan.areas] == ["加强招商", "优化服务"]
    assert [(i.kind, i.target, i.due) for a in leads.plan.areas for i in a.items] == [
        ("count", 5, None), ("rate", 98, None), ("milestone", None, dt.date(2025, 12, 31))]
    one = draft_plan("某局2024年工作计划\n1. 加快平台建设，6月底前完成一期工程；\n2. 新增企业30家。")
    assert one.ok and len(one.plan.areas) == 1
    area = one.plan.areas[0]
    assert area.heading is None and area.name.zh == "重点工作" and "heading" in area.review
    assert [(i.kind, i.target, i.due) for i in area.items] == [  # 一期工程: a phase, not one of something
        ("milestone", None, dt.date(2024, 6, 30)), ("count", 30, None)]


def test_a_gbk_text_file_and_a_docx_table_are_read():
    text, problems = read_document(SEED_TEXT.replace("\n", "\r\n").encode("gb18030"), "计划.TXT")
    assert problems == [] and draft_plan(text).data == draft_plan(SEED_TEXT).data
    from docx import Document

    doc = Document()
    doc.add_paragraph("某局2024年工作计划")
    doc.add_paragraph("一、企业培育")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "新增国家高新技术企业不少于12家。"
    table.rows[0].cells[1].text = "每季度举办政策培训不少于1场。"
    buf = io.BytesIO()
    doc.save(buf)
    text, problems = read_document(buf.getvalue(), "plan.docx")
    assert problems == []
    assert [(i.target, i.every) for i in draft_plan(text).plan.indicators()] == [(12, None), (1, "quarter")]
