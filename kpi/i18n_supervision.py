"""The catalogue's part for the supervision workflow (roles, closed periods, corrections, the Due list, evidence).

Merged into ``kpi.i18n.CATALOGUE`` (which refuses a key defined twice); kept apart so the large catalogue file is
not edited line by line by every change. Every entry: (zh, en) with the same placeholders.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "where.row": ("第{row}行", "row {row}"),
    # --- roles and scope ------------------------------------------------------------------------------------
    "role.admin": ("管理员（全部领域，可关账和更正）", "admin (every area; closes periods and corrects them)"),
    "role.viewer": ("查看者（只读）", "viewer (read-only)"),
    "role.editor_of": ("领域编辑：{areas}", "area editor of {areas}"),
    "role.area": ("{name}（{code}）", "{name} ({code})"),
    "role.area_owner": ("{name}（{code} · 负责科室：{owner}）", "{name} ({code} · office: {owner})"),
    "role.admin_only": ("{what}需要管理员权限；{name} 不是管理员，未做任何修改。",
                        "{what} needs an admin; {name} is not one, so nothing was changed."),
    "role.outside_area": ("指标 {code} 属于领域 {area}，不在 {name} 负责的领域（{areas}）内，未做任何修改。",
                          "indicator {code} belongs to area {area}, outside the areas of {name} ({areas}); "
                          "nothing was changed"),
    "role.row_outside": ("指标 {code}（{period}）属于领域 {area}，不在 {name} 负责的领域（{areas}）内：请删除此行，"
                         "或请该领域的编辑上传",
                         "indicator {code} ({period}) belongs to area {area}, outside the areas of {name} ({areas}): "
                         "delete this row, or ask an editor of that area to upload it"),
    "role.what_close": ("关账或重新开账", "Closing or reopening a period"),
    "role.what_correct": ("更正已关账期间的数据", "Correcting a closed period"),
    "role.what_plan": ("修改计划和目标", "Changing the plan and its targets"),
    "role.what_revert": ("撤销或重新启用此批次", "Reverting or re-applying this batch"),
    "role.signed_in": ("已登录：{name} · {scope}", "Signed in: {name} · {scope}"),
    "role.signed_in_viewer": ("已登录查看：{name}", "Signed in to view: {name}"),
    "role.sign_in_title": ("登录", "Sign in"),
    "role.gate": ("本看板仅对已登录用户开放：请输入用户名和密码。登录后将打开你请求的页面（包括固定链接）。",
                  "This dashboard opens only after sign-in: enter your name and password. The page you asked for "
                  "(a pinned link too) opens once you are signed in."),
    "role.plan_admin": ("新建计划仅限管理员：你可以上传、说明和上传佐证材料，但不能新建计划。",
                        "Only admins create plans: you can upload, explain and attach evidence, not create a plan."),
    "role.targets_admin": ("目标管理仅限管理员：你可以上传、说明和上传佐证材料，但不能修改计划和目标。",
                           "Targets are for admins: you can upload, explain and attach evidence, but not change the "
                           "plan or its targets."),
    "role.template_areas": ("模板只含你负责的领域：{areas}", "The template holds only your areas: {areas}"),
    "role.refused": ("未做任何修改：", "Nothing was changed:"),
    # --- the command line -------------------------------------------------------------------------------------
    "cli.editor_role": ("{name}：{scope}", "{name}: {scope}"),
    "cli.unknown_areas": ("没有这些领域：{areas}（现有：{known}），未保存。",
                          "no such areas: {areas} (known: {known}); nothing was saved"),
    "cli.viewer_saved": ("查看账号 {name} 已保存到 {path}：此后看板需登录后才能查看。",
                         "viewer {name} saved in {path}: from now on the dashboard opens only after sign-in"),
    "cli.no_accounts": ("还没有编辑或查看账号。", "no editors or viewers yet"),
}
MESSAGES.update({
    # --- closed periods and corrections -------------------------------------------------------------------------
    "close.row_closed": ("{code} 的 {period} 属于已关账期间 {closed}（{when} 由 {by} 关账）：普通上传不能修改，请删除此行；"
                         "如需更正，请管理员填写更正理由后上传",
                         "{code} {period} is in the closed period {closed} (closed on {when} by {by}): an ordinary "
                         "upload cannot change it, so delete this row; to correct it, an admin uploads it with a "
                         "reason for the correction"),
    "close.write_closed": ("{code} 的 {period} 属于已关账期间 {closed}（{when} 由 {by} 关账）：说明和人工认定不能再修改；"
                           "如需更正，请管理员填写更正理由。未做任何修改。",
                           "{code} {period} is in the closed period {closed} (closed on {when} by {by}): its "
                           "explanation and status can no longer change; an admin may correct it with a reason. "
                           "Nothing was changed."),
    "close.revert_closed": ("批次 {batch} 含已关账期间 {closed} 的数据（{code} {period}）：只有管理员可以撤销。",
                            "batch {batch} holds data of the closed period {closed} ({code} {period}): only an admin "
                            "can revert it"),
    "close.not_ended": ("{period} 尚未结束（截至 {end}）：期间结束后才能关账。",
                        "{period} has not ended yet (it ends on {end}): a period is closed once it has ended"),
    "close.already_closed": ("{period} 已经关账，未做任何修改。", "{period} is closed already; nothing was changed"),
    "close.not_closed": ("{period} 没有关账，无需重新开账。", "{period} is not closed; there is nothing to reopen"),
})
MESSAGES.update({
    "cli.changed_meanwhile": ("数据在检查与写入之间发生了变化（如刚有期间关账），未写入任何数据：请重新运行。",
                              "the data changed between the check and the write (a period was just closed, say); "
                              "nothing was written: run the command again"),
})
MESSAGES.update({
    "correct.reason": ("更正理由（仅管理员：修改已关账期间时填写）", "Reason for a correction (admins: to change a closed period)"),
    "correct.reason_help": ("普通上传不能修改已关账期间。填写理由后，本次上传中已关账期间的数据将作为“更正”写入，"
                            "并在指标页、历史、简报和导出中注明更正时间、更正人和理由。",
                            "An ordinary upload cannot change a closed period. With a reason, this upload's rows of "
                            "closed periods are written as a correction (更正), shown with when, by whom and why on "
                            "the indicator page, in the history, the briefing and the exports."),
    "correct.upload_note": ("本次上传将作为更正写入已关账期间，理由：{reason}", "This upload corrects closed periods. Reason: {reason}"),
})
MESSAGES.update({
    "correct.line": ("更正：{when} 由 {by} 在关账后更正（理由：{reason}）",
                     "Corrected after close (更正) on {when} by {by} (reason: {reason})"),
    "correct.tag": (" · 更正", " · corrected (更正)"),
    "correct.column": ("更正", "Correction (更正)"),
    "correct.kind": ("（更正）", " (correction)"),
    "close.item": ("{period}（{when} 关账）", "{period} (closed {when})"),
    "close.stated": ("已关账：{periods}", "Closed (已关账): {periods}"),
    "close.label": ("已关账", "Closed (已关账)"),
    "evidence.missing_tag": (" · 缺佐证", " · evidence missing (缺佐证)"),
    "evidence.file": ("文件", "File"),
    "evidence.size": ("大小（字节）", "Size (bytes)"),
    "evidence.sha256": ("SHA-256", "SHA-256"),
})
MESSAGES.update({
    "batch.close": ("关账", "close a period"),
    "batch.reopen": ("重新开账", "reopen a period"),
    "batch.evidence": ("佐证材料", "evidence"),
})
MESSAGES.update({
    "close.none": ("没有已关账的期间。", "no period is closed"),
    "close.listed": ("{period}：{when} 由 {by} 关账（批次 {batch}；{reason}）", "{period}: closed on {when} by {by} (batch {batch}; {reason})"),
    "close.needs_period": ("period {action} 需要期间（PERIOD），如 2023-Q3", "period {action} needs a PERIOD such as 2023-Q3"),
    "close.done_close": ("{period} 已关账（批次 {batch}）：普通上传不能再修改该期间。", "{period} closed (batch {batch}): ordinary uploads can no longer change it"),
    "close.done_reopen": ("{period} 已重新开账（批次 {batch}）。", "{period} reopened (batch {batch})"),
})
MESSAGES.update({
    # --- the Due list (待办) -----------------------------------------------------------------------------------
    "due.value": ("待报送：{name}（{code}）{period} 的实际值，截止 {deadline}", "To report: {name} ({code}), the value for {period}, by {deadline}"),
    "due.milestone": ("节点将到期：{name}（{code}）{due} 到期，还有 {days} 天", "Milestone due: {name} ({code}) is due on {due}, in {days} days"),
    "due.overdue": ("节点已逾期：{name}（{code}）{due} 到期，已逾期 {days} 天", "Milestone overdue: {name} ({code}) was due on {due}, {days} days ago"),
    "due.explain": ("待说明：{name}（{code}）{period} {status}，尚无说明，截止 {deadline}", "To explain (待说明): {name} ({code}), {period} is {status} with no explanation, by {deadline}"),
    "due.evidence": ("缺佐证：{name}（{code}）已办结，尚无佐证材料，截止 {deadline}", "Evidence missing (缺佐证): {name} ({code}) is done with no evidence attached, by {deadline}"),
    "due.close": ("待关账：{period}（{end} 结束），截止 {deadline}", "To close: {period} (ended {end}), by {deadline}"),
    "due.decision": ("会议决定：{what}（{meeting}，{office}）{due} 到期", "Meeting decision: {what} ({meeting}, {office}), due on {due}"),
    "due.decision_overdue": ("会议决定已逾期：{what}（{meeting}，{office}）{due} 到期，已逾期 {days} 天", "Meeting decision overdue: {what} ({meeting}, {office}) was due on {due}, {days} days ago"),
    "due.kind_decision": ("会议决定", "decision"),
    "due.kind_value": ("待报送", "to report"),
    "due.kind_milestone": ("节点", "milestone"),
    "due.kind_explain": ("待说明", "to explain"),
    "due.kind_evidence": ("缺佐证", "evidence"),
    "due.kind_close": ("待关账", "to close"),
    "due.col_deadline": ("截止日期", "Deadline"),
    "due.col_kind": ("类型", "Kind"),
    "due.col_what": ("事项", "What"),
    "due.col_link": ("链接", "Link"),
    "due.calendar": ("{plan} 待办", "{plan} due"),
    "due.none": ("没有待办事项。", "Nothing is due."),
    "nav.due": ("待办", "Due"),
    "due.title": ("待办事项", "What is due"),
    "due.help": ("截至 {as_of}：已结束期间未报送的数据、{within} 天内到期或已逾期的节点和会议决定、待说明、缺佐证{close}。每一行链接到处理它的地方。",
                 "As of {as_of}: values missing for ended periods, milestones and meeting decisions due within {within} days or overdue, shortfalls to explain, evidence missing{close}. Each line links to where it is resolved."),
    "due.help_close": ("、待关账的期间", ", periods waiting to be closed"),
    "due.scope": ("范围：{scope}", "Scope: {scope}"),
    "due.within": ("节点提醒天数", "Milestones due within (days)"),
    "due.ics": ("下载日历文件（.ics）", "Download the calendar (.ics)"),
    "due.csv": ("下载待办清单（CSV）", "Download the list (CSV)"),
    "due.editors_only": ("待办清单供编辑和管理员使用：请先登录。", "The Due list is for editors and admins: sign in first."),
    "due.closing": ("关账", "Closing periods"),
    "due.close_pick": ("关账期间", "Period to close"),
    "due.close_reason": ("说明（可选，如“已向区里报送”）", "Note (optional, e.g. reported to the district)"),
    "due.close_submit": ("关账所选期间", "Close the chosen period"),
    "due.reopen_button": ("重新开账 {period}", "Reopen {period}"),
    "due.closed_list": ("已关账的期间", "Closed periods"),
    "due.closed_done": ("{period} 已关账（批次 {batch}）。", "{period} closed (batch {batch})."),
    "due.reopened_done": ("{period} 已重新开账（批次 {batch}）。", "{period} reopened (batch {batch})."),
    "due.nothing_to_close": ("没有可关账的期间（期间结束后才能关账）。", "No period can be closed yet (a period is closed once it has ended)."),
})
MESSAGES.update({
    # --- evidence (佐证材料) -------------------------------------------------------------------------------------
    "evidence.bad_type": ("“{file}”不是可接受的佐证材料类型：请上传 {types} 文件", "{file} is not an accepted kind of evidence: attach a {types} file"),
    "evidence.empty": ("“{file}”是空文件：请重新选择", "{file} is empty: choose the file again"),
    "evidence.too_big": ("“{file}”有 {size} 字节，超过上限 {limit} 字节：请压缩或拆分后上传", "{file} has {size} bytes, over the limit of {limit}: compress or split it"),
    "evidence.not_type": ("“{file}”的内容不是 {type} 文件：请上传原文件（不要只改文件扩展名）", "the content of {file} is not a {type} file: attach the original file (renaming it is not enough)"),
    "evidence.title": ("佐证材料", "Evidence (佐证材料)"),
    "evidence.none": ("本期还没有佐证材料。", "No evidence for this period yet."),
    "evidence.attach": ("上传佐证材料", "Attach evidence"),
    "evidence.choose": ("选择文件（{types}；不超过 {limit} MB）", "Choose a file ({types}; at most {limit} MB)"),
    "evidence.period": ("所属期间", "For the period"),
    "evidence.save": ("保存佐证材料", "Save the evidence"),
    "evidence.saved": ("佐证材料已保存（批次 {batch}，SHA-256 {sha}）。", "Evidence saved (batch {batch}, SHA-256 {sha})."),
    "evidence.download": ("下载 {file}", "Download {file}"),
    "evidence.history": ("全部佐证材料（含已撤销）", "All evidence, reverted included"),
    "evidence.in_force": ("是否有效", "In force"),
    "evidence.column": ("佐证材料", "Evidence (佐证材料)"),
    "evidence.listed": ("{file}（SHA-256 {sha}）", "{file} (SHA-256 {sha})"),
    "evidence.brief_none": ("本期没有佐证材料。", "No evidence for this view."),
})
MESSAGES.update({
    "due.today": ("节点今天到期：{name}（{code}）{due} 到期", "Milestone due today: {name} ({code}) is due on {due}"),
})
MESSAGES.update({
    "role.owner": ("负责科室：{owner}", "Office: {owner}"),
    "card.needs_evidence": ("缺佐证 {count} 项", "{count} lack evidence (缺佐证)"),
})
