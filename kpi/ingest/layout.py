"""The header aliases: which column is which, in the spellings editors use (Chinese and English).

One table for data uploads (both paths) and the targets file. Headers compare
without case, width, spaces or underscores (``norm_header``).
"""

from __future__ import annotations

import unicodedata

ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "indicator code", "code", "指标编码", "指标代码", "编码", "代码"),
    "indicator_name": ("指标", "指标名称", "indicator name", "name", "名称"),
    "period": ("period", "期间", "季度", "月份", "月度", "期次", "quarter", "month"),
    "value": ("value", "actual", "实际值", "完成值", "数值", "实际完成", "完成数", "完成情况"),
    "note": ("note", "notes", "comment", "备注", "说明"),
    "target": ("target", "目标", "目标值", "计划目标"),  # the targets file (kpi.plan.edit), not data uploads
}


def norm_header(text: object) -> str:
    """Headers compare without case, width, spaces or underscores."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return " ".join(s.replace("_", " ").split())
