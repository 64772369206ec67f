"""The translation catalogue: every string a user sees, in Chinese and English.

``t(key, lang, **values)`` formats a message. Chinese is the default. A test
checks that every key has both languages and the same placeholders.
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# status: (icon, zh, en). Icons differ in shape, so status never rests on colour alone; all of them
# are in Noto Sans CJK, so they render where no emoji font is installed.
STATUS_TEXT: dict[str, tuple[str, str, str]] = {
    "met": ("✔", "已完成", "Met"),
    "done": ("✔", "已办结", "Done"),
    "on_track": ("▲", "符合序时进度", "On track"),
    "at_risk": ("⚠", "略低于序时进度", "At risk"),
    "off_track": ("▼", "落后于序时进度", "Off track"),
    "missed": ("✘", "未完成", "Missed"),
    "overdue": ("⊗", "已逾期", "Overdue"),
    "pending": ("◔", "未到期", "Pending"),
    "no_target": ("○", "监测指标（无目标）", "Monitored (no target)"),
    "no_data": ("？", "暂无数据", "No data"),
}

# Okabe–Ito colours, safe for colour-blind readers; always shown with the icon and the word.
STATUS_COLOUR: dict[str, str] = {
    "met": "#009E73", "done": "#009E73", "on_track": "#56B4E9", "at_risk": "#E69F00",
    "off_track": "#D55E00", "missed": "#D55E00", "overdue": "#CC79A7", "pending": "#999999",
    "no_target": "#BBBBBB", "no_data": "#DDDDDD",
}

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- ingest problems ---------------------------------------------------
    "where.row_col": ("第{row}行，“{column}”列", "row {row}, column {column}"),
    "where.file": ("文件", "file"),
    "ingest.empty": ("文件是空的：请在表头下填写至少一行数据",
                     "the file is empty: add at least one row under the header"),
    "ingest.too_big": ("文件有 {size} 字节，超过上限 {limit} 字节：请拆分后分批上传",
                       "the file has {size} bytes, over the limit of {limit}: split it and upload the parts"),
    "ingest.unreadable": ("无法读取文件：{reason}；请另存为 CSV（UTF-8）或 XLSX 后重试",
                          "cannot read the file: {reason}; save it as CSV (UTF-8) or XLSX and try again"),
    "ingest.missing_column": ("缺少“{column}”列：表头须含 {aliases}",
                              "missing column {column}: the header needs one of {aliases}"),
    "ingest.no_periods": ("找不到期间：请加一列“期间”（长表），或以期间作列名（如 2023-Q3、2023年7月）",
                          "no period found: add a period column (long format) or use periods as column headers "
                          "(2023-Q3, 2023-07)"),
    "ingest.unknown_indicator": ("“{value}”不是本计划的指标：请填写指标编码，如 {example}",
                                 "'{value}' is not an indicator of any plan: use an indicator code such as {example}"),
    "ingest.ambiguous_indicator": ("“{value}”对应多个指标（{codes}）：请改填指标编码",
                                   "'{value}' matches several indicators ({codes}): use the indicator code"),
    "ingest.bad_period": ("“{value}”不是可识别的期间：请写成 2023-Q3、2023-07 或 2023年第三季度",
                          "'{value}' is not a period: write it like 2023-Q3, 2023-07 or 2023年第三季度"),
    "ingest.outside_plan": ("{period} 不在 {indicator} 所属计划的期间内（{start} 至 {end}）",
                            "{period} is outside the span of the plan of {indicator} ({start} to {end})"),
    "ingest.not_number": ("“{value}”不是数字：请填写数字，如 12",
                          "'{value}' is not a number: enter a number such as 12"),
    "ingest.negative": ("“{value}”为负数：{indicator} 是计数，须为 0 或正数",
                        "'{value}' is negative: {indicator} is a count, enter 0 or more"),
    "ingest.bad_milestone": ("“{value}”不是完成日期或“完成/未完成”：请填写如 2023-09-20 或 完成",
                             "'{value}' is neither a completion date nor done/not done: enter e.g. 2023-09-20 or done"),
    "ingest.duplicate": ("{indicator} 的 {period} 在文件中出现多次（另见第{other}行）：每个指标每期只填一行",
                         "{indicator} {period} appears more than once (also row {other}): one row per indicator "
                         "and period"),
    "ingest.double_count": ("{indicator} 同时填了 {period} 和其所含的 {part}（第{other}行）："
                            "会重复计算，请只保留一种期间",
                            "{indicator} has both {period} and {part} inside it (row {other}): that counts twice; "
                            "keep one of them"),
    "ingest.cumulative": ("{indicator} 按期填报当期值，不能填累计数：请填写本期新增数",
                          "{indicator} takes the value for the period, not a cumulative (year-to-date) figure: "
                          "enter the period's own value"),
    # --- command line -------------------------------------------------------
    "cli.imported": ("已导入批次 {batch}：{rows} 行（{file}）", "imported batch {batch}: {rows} rows ({file})"),
    "cli.dry_run": ("检查通过（未写入）：{rows} 行可导入", "check passed (nothing written): {rows} rows would import"),
    "cli.rejected": ("{file}：发现 {count} 个问题，未写入任何数据", "{file}: {count} problem(s); nothing was written"),
    "cli.same_file": ("提示：同一文件已于批次 {batches} 导入过",
                      "note: the same file was imported before as batch {batches}"),
    "cli.nothing": ("文件中没有要导入的值（空白单元格不改变任何数据）",
                    "the file holds no values to import (blank cells change nothing)"),
    # --- dashboard ----------------------------------------------------------
    "app.title": ("工作计划指标看板", "Work-plan KPI dashboard"),
    "app.sample_banner": ("示例数据：本页数字为演示用示例数据，不是实际完成情况。",
                          "Sample data: the numbers on this page are sample data for demonstration, "
                          "not actual results."),
    "app.period": ("期间", "Period"),
    "app.as_of": ("数据截至", "Data as of"),
    "app.language": ("语言 / Language", "语言 / Language"),
    "app.lang_zh": ("中文", "中文"),
    "app.lang_en": ("English", "English"),
    "app.page_title": ("工作计划指标看板", "Work-plan KPI dashboard"),
    "app.plan": ("计划", "Plan"),
    "app.empty_store": ("还没有加载计划：运行 python -m kpi init 载入计划。",
                        "No plan is loaded yet: run python -m kpi init to load one."),
    "app.no_data_yet": ("还没有任何实际完成数据；上传数据后此处显示进度。",
                        "No actual results yet; progress shows here once data is uploaded."),
    "col.area": ("领域", "Area"),
    "col.indicator": ("指标", "Indicator"),
    "col.code": ("编码", "Code"),
    "col.target": ("目标", "Target"),
    "col.actual": ("实际", "Actual"),
    "col.progress": ("完成率", "Progress"),
    "col.expected": ("序时目标", "Expected to date"),
    "col.status": ("状态", "Status"),
    "col.unit": ("单位", "Unit"),
    "col.due": ("截止日期", "Due"),
    "col.note": ("备注", "Note"),
    "overview.summary": ("{area}：{count} 项指标，{good} 项已完成或符合序时进度",
                         "{area}: {count} indicators, {good} met or on track"),
    "value.due": ("截止 {date}", "due {date}"),
    "summary.shortfalls": ("未达每期最低要求：{periods}", "fell short of the minimum in {periods}"),
    # --- charts -------------------------------------------------------------
    "chart.actual": ("实际", "Actual"),
    "chart.target": ("目标", "Target"),
    "chart.per_quarter": ("各季度实际与目标", "Actual and target by quarter"),
    "chart.per_month": ("各月实际与目标", "Actual and target by month"),
    "chart.per_half": ("各半年实际与目标", "Actual and target by half-year"),
    "chart.per_year": ("全年实际与目标", "Actual and target for the year"),
    "chart.per_plan": ("实际与目标", "Actual and target"),
    "chart.pace": ("序时进度", "Pace (expected to date)"),
    "chart.target_cum": ("累计目标", "Cumulative target"),
    "chart.actual_cum": ("累计实际", "Cumulative actual"),
    "chart.as_of": ("数据截至 {date}", "as of {date}"),
    "chart.cumulative": ("累计完成与序时进度", "Cumulative actual against pace"),
    "chart.level": ("期末水平与目标", "Level at period end against target"),
    "chart.due": ("截止日期", "Due"),
    "chart.done_on": ("完成日期", "Done on"),
    "chart.milestones": ("节点任务", "Milestones"),
    # --- pages --------------------------------------------------------------
    "nav.overview": ("总览", "Overview"),
    "nav.area": ("领域", "Work area"),
    "nav.indicator": ("指标详情", "Indicator"),
    "ctl.period": ("期间", "Period"),
    "ctl.period_plan": ("全计划期", "whole plan"),
    "ctl.as_of": ("测算日期（序时进度按此日计）", "As of (pace is measured at this date)"),
    "ctl.plan": ("计划", "Plan"),
    "ctl.present": ("会议模式", "Meeting mode"),
    "ctl.present_on": ("开", "on"),
    "ctl.present_off": ("关", "off"),
    "ctl.exit_present": ("退出会议模式", "Leave meeting mode"),
    "ctl.enter_present": ("进入会议模式", "Meeting mode"),
    "ctl.area": ("领域", "Work area"),
    "ctl.indicator": ("指标", "Indicator"),
    "ctl.copy_link": ("本页链接（复制后分享，打开即为同一视图）", "Link to this view (copy and share: it reopens this exact view)"),
    "head.view": ("{period} · 数据截至 {as_of}", "{period} · data as of {as_of}"),
    "card.items": ("{count} 项指标（{judged} 项有目标或节点）", "{count} indicators ({judged} with a target or due date)"),
    "card.good": ("已完成或符合序时进度", "Met or on track"),
    "card.progress": ("平均完成率", "Average progress"),
    "card.open": ("查看 {area}", "Open {area}"),
    "card.none_judged": ("本领域均为监测指标，不评判完成情况", "Only monitored indicators here: nothing to judge"),
    "overview.matrix": ("状态矩阵", "Status matrix"),
    "overview.matrix_help": ("每格为该期状态（图标＋文字）；“全计划期”列为整个计划期的状态。",
                             "Each cell is the status for that period (icon and word); the last column is the whole plan."),
    "overview.attention": ("需关注事项", "Needs attention"),
    "overview.attention_help": ("未完成、落后或略低于序时进度、逾期的指标，按落后程度排序。",
                                "Missed, behind pace or overdue, most behind first."),
    "overview.attention_none": ("没有需要关注的指标：全部已完成、符合序时进度或尚未到期。",
                                "Nothing needs attention: everything is met, on track or not yet due."),
    "overview.areas": ("各领域", "Work areas"),
    "attention.line": ("{status} · {name}（{area}）：实际 {actual}，{basis} {target}", "{status} · {name} ({area}): actual {actual}, {basis} {target}"),
    "attention.basis_plan": ("目标", "target"),
    "attention.basis_pace": ("序时目标", "expected to date"),
    "attention.milestone": ("{status} · {name}（{area}）：截止 {due}", "{status} · {name} ({area}): due {due}"),
    "attention.note": ("说明：{note}", "Note: {note}"),
    "area.indicators": ("指标", "Indicators"),
    "area.monitored": ("监测指标（无目标，仅展示趋势）", "Monitored indicators (no target: trend only)"),
    "area.milestones": ("节点任务", "Milestones"),
    "area.unknown": ("没有领域“{area}”：请从列表中选择。", "There is no work area '{area}': pick one from the list."),
    "area.no_data": ("暂无数据：该指标本期还没有上报实际值。", "No data yet: nothing has been reported for this indicator."),
    "ind.periods": ("各期情况", "By period"),
    "ind.source": ("计划原文", "In the plan"),
    "ind.provenance": ("数据来源", "Where the values came from"),
    "ind.provenance_none": ("还没有上传过该指标的数据。", "No value has been uploaded for this indicator yet."),
    "ind.unknown": ("没有指标“{code}”：请从列表中选择。", "There is no indicator '{code}': pick one from the list."),
    "ind.baseline": ("基数：{value}（{date}）", "Baseline: {value} ({date})"),
    "ind.kind": ("类型", "Kind"),
    "ind.back": ("返回 {area}", "Back to {area}"),
    "col.period": ("期间", "Period"),
    "col.batch": ("批次", "Batch"),
    "col.file": ("文件", "File"),
    "col.editor": ("上传人", "Editor"),
    "col.time": ("时间", "Time"),
    "col.in_force": ("现行", "In force"),
    "col.value": ("数值", "Value"),
    "col.basis": ("目标依据", "Target basis"),
    "basis.plan": ("计划目标", "plan target"),
    "basis.pace": ("按序时折算", "share of a longer target"),
    "kind.count": ("计数", "count"),
    "kind.stock": ("存量", "stock"),
    "kind.rate": ("比率", "rate"),
    "kind.milestone": ("节点", "milestone"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "value.done_on": ("{date} 完成", "done {date}"),
    "value.none": ("—", "—"),
}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in."""
    zh, en = CATALOGUE[key]
    return (en if lang == "en" else zh).format(**values)


def status_label(status: str, lang: str = DEFAULT_LANG, icon: bool = True) -> str:
    sym, zh, en = STATUS_TEXT[status]
    word = en if lang == "en" else zh
    return f"{sym} {word}" if icon else word


def norm_lang(value: object) -> str:
    return value if value in LANGS else DEFAULT_LANG
