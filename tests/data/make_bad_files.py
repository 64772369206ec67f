"""Write the upload files of the ingest tests: tests/data/bad/ and tests/data/good/.

Run from the project root:  .venv/bin/python tests/data/make_bad_files.py

Every file is built here, text and binary alike (XLSX, GBK, bytes that are no
text), so the folders can be regenerated at any time; the output is byte-stable
(fixed timestamps inside the XLSX files), and tests/test_bad_files.py checks that
the folders hold exactly what this script writes. The expected problems of each
bad file are in tests/test_bad_files.py; the values every good file imports to
are in tests/test_good_files.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kpi.report.export import TEMPLATE_NOTES, TEMPLATE_SHEET, template_frame, to_csv_bytes, to_xlsx_bytes  # noqa: E402
from kpi.plan.models import load_plan  # noqa: E402

PLAN_FILE = ROOT / "data" / "plans" / "2023-H2.yaml"
FIXED = dt.datetime(2023, 7, 1)


# --- helpers ---------------------------------------------------------------
def _stable_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", b"2023-07-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2023, 7, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _save(wb: Workbook) -> bytes:
    wb.properties.created = wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())


def xlsx(rows: list[list], sheet: str = "Sheet1", before: dict[str, list[list]] | None = None,
         pad_to: tuple[int, int] | None = None, percent: str | None = None, far: dict[str, object] | None = None
         ) -> bytes:
    """A workbook with ``rows`` on ``sheet``; ``before``: sheets placed ahead of it;
    ``pad_to`` (rows, columns): formatted but empty cells out to there (trailing empty rows and columns);
    ``percent``: a cell shown as a percentage (0.875 shows as 87.5%); ``far``: more cells by coordinate
    (the sheet's declared size reaches the farthest)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, other in (before or {}).items():
        ws = wb.create_sheet(name)
        for row in other:
            ws.append(row)
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    if percent:
        ws[percent].number_format = "0.0%"
    for coordinate, value in (far or {}).items():
        ws[coordinate] = value
    if pad_to:
        ws.cell(row=pad_to[0], column=pad_to[1]).number_format = "0.00"
        for col in range(1, pad_to[1] + 1):
            ws.cell(row=len(rows) + 1, column=col).number_format = "@"
    return _save(wb)


def csv_text(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def template(period: str = "2023-Q3", extra: tuple[str, ...] = (), values: dict | None = None) -> pd.DataFrame:
    """The upload template of the 2023-H2 plan (export.template_frame), more period columns after ``period``,
    filled with ``values``: {(code, column): value}."""
    frame = template_frame(load_plan(PLAN_FILE), period)
    at = list(frame.columns).index(period) + 1
    for i, col in enumerate(extra):
        frame.insert(at + i, col, "")
    frame = frame.astype(object)
    for (code, col), value in (values or {}).items():
        frame.loc[frame["指标编码"] == code, col] = value
    return frame


def template_xlsx(frame: pd.DataFrame) -> bytes:
    return _stable_zip(to_xlsx_bytes(frame, sheet=TEMPLATE_SHEET, notes=TEMPLATE_NOTES))


# --- bad files: one problem each (many_problems.csv: five) ---------------------
EN = "indicator,period,value\n"


def many_columns(count: int = 10_000) -> bytes:
    """The wide layout with ``count`` month columns (1190-01 to 2023-04 for 10,000) and one value, in the last."""
    months = [f"{(1190 * 12 + i) // 12}-{(1190 * 12 + i) % 12 + 1:02d}" for i in range(count)]
    return ("指标编码," + ",".join(months) + "\nINV-EVENTS" + "," * count + "1\n").encode()


def bad_files() -> dict[str, bytes]:
    return {
        # rows
        "unknown_indicator.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-NOPE,2023-Q3,1\n"),
        "unknown_indicator_name.csv": csv_text("指标名称,期间,实际值\n市外招商活动,2023-Q3,2\n招商大会,2023-Q3,1\n"),
        "indicator_blank_with_value.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\n,2023-Q3,5\n"),
        "unparseable_period.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,2023-Q5,1\n"),
        "period_blank_with_value.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,,3\n"),
        "period_outside_plan.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-EVENTS,2024-Q1,1\n"),
        "not_a_number.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,2023-07,three\n"),
        "rate_not_a_number.csv": csv_text(EN + "ENT-APPEALS-RATE,2023-Q3,abc%\n"),
        "infinite_value.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,2023-07,inf\n"),
        "decimal_comma.csv": csv_text("indicator;period;value\nINV-EVENTS;2023-Q3;2\nENT-APPEALS-RATE;2023-Q3;87,5\n"),
        "negative_count.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,2023-07,-3\n"),
        "milestone_bad_value.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nSCI-DAY,2023-09,soon\n"),
        "milestone_impossible_date.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nSCI-DAY,2023-09,2023-02-30\n"),
        "duplicate_rows.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-VISITS,2023-07,3\nINV-EVENTS,2023-Q3,2\n"),
        "duplicate_other_spelling.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-EVENTS,2023年第三季度,2\n"),
        "month_and_quarter.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-EVENTS,2023-08,1\n"),
        "quarter_and_half.csv": csv_text(EN + "INV-EVENTS,2023-H2,6\nINV-EVENTS,2023-Q3,2\n"),
        "cumulative_note.csv": csv_text("indicator,period,value,note\nINV-VISITS,2023-07,3,\n"
                                        "INV-EVENTS,2023-Q3,5,1-9月累计\n"),
        "cumulative_column.csv": csv_text("指标编码,期间,累计完成值\nINV-EVENTS,2023-Q3,5\n"),
        # 1,200 unquoted is the cells 1 and 200: it must not import as 1
        "extra_cells.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-FIRMS,2023-Q3,1,200\n"),
        # values the indicator cannot take: a rate is 0 to 100, a stock never negative
        "rate_out_of_range.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nENT-APPEALS-RATE,2023-Q3,120\n"
                                               "ENT-APPEALS-RATE,2023-Q4,-5\n"),
        "negative_stock.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nHK-BASES,2023-Q3,-1\n"),
        "note_too_long.csv": csv_text("indicator,period,value,note\nINV-EVENTS,2023-Q3,2,\n"
                                      "INV-VISITS,2023-07,3," + "台风" * 250 + "!\n"),
        # control characters outside a note (in a note they are stripped: tests/test_ingest_values.py)
        "control_characters.csv": csv_text("indicator,period,value,note\nINV-EVENTS,2023-Q3,2,\x0b台风\x07影响\n"
                                           "INV-VISITS,2023-07,3\x07,\n"),
        "many_problems.csv": csv_text(EN + "INV-EVENTS,2023-Q3,2\nINV-NOPE,2023-Q3,1\nINV-VISITS,2023-13,1\n"
                                           "INV-FIRMS,2023-Q3,lots\nINV-VISITS,2023-08,-3\nSCI-DAY,2023-09,soon\n"),
        # structure
        "missing_indicator_column.csv": csv_text("period,value\n2023-Q3,2\n"),
        "missing_value_column.csv": csv_text("indicator,period\nINV-EVENTS,2023-Q3\n"),
        "no_period.csv": csv_text("indicator,value\nINV-EVENTS,2\n"),
        "duplicate_value_column.csv": csv_text("indicator,period,value,value\nINV-EVENTS,2023-Q3,2,5\n"),
        "empty.csv": b"",
        "header_only.csv": csv_text(EN),
        "blank_lines_only.csv": csv_text("\n\n   \n,,\n\n"),
        # encodings and formats
        "not_text.csv": b"\x80\x80\xff",
        "broken.xlsx": b"PK\x03\x04" + b"this is not a workbook\n" * 4,
        "utf16.csv": csv_text("indicator\tperiod\tvalue\r\nINV-EVENTS\t2023-Q3\t2\r\n", "utf-16"),
        # UTF-8 but for one row pasted from a GBK file: decoded whole as GBK, every note would be mojibake
        "mixed_encoding.csv": csv_text("indicator,period,value,note\nINV-EVENTS,2023-Q3,2,台风影响\n")
                              + csv_text("INV-VISITS,2023-07,3,北京香港\n", "gbk")
                              + csv_text("HK-BASES,2023-Q3,3,新增两处\n"),
        "gbk_chinese_headers_bad.csv": csv_text("指标编码,期间,实际值,备注\n"
                                                "INV-EVENTS,2023年第三季度,2,市外招商\n"
                                                "HK-BASES,2023年第三季度,3,\n"
                                                "INV-VISITS,2023年7月,三,上门走访\n", "gbk"),
        "semicolon_bad.csv": csv_text("indicator;period;value\nINV-EVENTS;2023-Q3;2\nINV-VISITS;2023-07;-3\n"),
        "tab_bad.tsv": csv_text("指标编码\t期间\t实际值\nINV-EVENTS\t2023-Q3\t2\nINV-VISITS\t2023-13\t3\n"),
        "bad_row.xlsx": xlsx([["指标编码", "期间", "实际值"], ["INV-EVENTS", "2023-Q3", 2],
                              ["INV-VISITS", "2023年7月", "三次"]]),
        # files made to hurt: 5 KB whose sheet reaches the far corner; 10,000 period columns
        "far_corner.xlsx": xlsx([["指标编码", "期间", "实际值"], ["INV-EVENTS", "2023-Q3", 2]],
                                far={"XFD1048576": "x"}),
        "wide_10000_columns.csv": many_columns(),
        # the template's wide layout (one row per indicator; INV-EVENTS is on row 6)
        "wide_bad_value.csv": to_csv_bytes(template(values={("INV-EVENTS", "2023-Q3"): "两场",
                                                            ("INV-VISITS", "2023-Q3"): "5"})),
        "wide_outside_plan.csv": to_csv_bytes(template(extra=("2024-Q1",),
                                                       values={("INV-EVENTS", "2023-Q3"): "2",
                                                               ("INV-EVENTS", "2024-Q1"): "1"})),
        "wide_month_and_quarter.csv": to_csv_bytes(template(extra=("2023年7月",),
                                                            values={("INV-EVENTS", "2023-Q3"): "2",
                                                                    ("INV-EVENTS", "2023年7月"): "1"})),
    }


# --- good files: every one imports to the same values ------------------------------
# INV-EVENTS 2023-Q3 = 2, INV-VISITS 2023-07 = 3, INV-FIRMS 2023-Q3 = 1000, HK-BASES 2023-Q3 = 3,
# ENT-APPEALS-RATE 2023-Q3 = 87.5, SCI-DAY 2023-09 done on 2023-09-22.
LONG_EN = ("indicator,period,value,note\n"
           "INV-EVENTS,2023-Q3,2,Beijing and Hong Kong\n"
           "INV-VISITS,2023-07,3,\n"
           "INV-FIRMS,2023-Q3,1000,\n"
           "HK-BASES,2023-Q3,3,\n"
           "ENT-APPEALS-RATE,2023-Q3,87.5,\n"
           "SCI-DAY,2023-09,2023-09-22,\n")
LONG_ZH = ("指标编码,期间,实际值,备注\n"
           "INV-EVENTS,2023年第三季度,2,北京、香港各一场\n"
           "INV-VISITS,2023年7月,3,\n"
           "INV-FIRMS,2023年第三季度,1000,\n"
           "HK-BASES,2023年第三季度,3,\n"
           "ENT-APPEALS-RATE,2023年第三季度,87.5%,\n"
           "SCI-DAY,2023年9月,2023年09月22日,\n")
GOOD_VALUES = {("INV-EVENTS", "2023-Q3"): 2, ("INV-VISITS", "2023年7月"): 3, ("INV-FIRMS", "2023-Q3"): 1000,
               ("HK-BASES", "2023-Q3"): 3, ("ENT-APPEALS-RATE", "2023-Q3"): 87.5,
               ("SCI-DAY", "2023-09"): dt.date(2023, 9, 22)}


def good_files() -> dict[str, bytes]:
    wide = template(extra=("2023年7月", "2023-09"), values=GOOD_VALUES)
    wide_text = wide.copy()
    for key, value in GOOD_VALUES.items():
        wide_text.loc[wide_text["指标编码"] == key[0], key[1]] = str(value)
    wide_text.loc[wide_text["指标编码"] == "INV-FIRMS", "2023-Q3"] = "1,000"
    return {
        "long_en_utf8.csv": csv_text(LONG_EN),
        "long_zh_utf8_bom.csv": csv_text(LONG_ZH, "utf-8-sig"),
        "long_zh_gbk.csv": csv_text(LONG_ZH.replace("指标编码", "指标代码").replace("实际值", "完成值"), "gbk"),
        "long_zh_semicolon.csv": csv_text(LONG_ZH.replace(",", ";"), "utf-8-sig"),
        "long_en_tab.tsv": csv_text(LONG_EN.replace(",", "\t")),
        "long_zh_tab_gbk.txt": csv_text(LONG_ZH.replace(",", "\t"), "gbk"),
        "long_mixed_headers_reordered.csv": csv_text(
            " 备注 ,  Value , 期间 ,指标编码 \n"
            ",2, 2023 Q3 ,INV-EVENTS\n"
            ",3,2023/7,inv-visits\n"
            ",1000,2023Q3, INV-FIRMS \n"
            ",3,Q3 2023,HK-BASES\n"
            ",87.5 %,2023-Q3,ENT-APPEALS-RATE\n"
            ",2023/09/22,2023-09-22,SCI-DAY\n"),
        "long_thousands_separator.csv": csv_text(
            "indicator,period,value\n"
            'INV-EVENTS,2023-Q3,"2"\nINV-VISITS,2023-07,3\nINV-FIRMS,2023-Q3,"1,000"\nHK-BASES,2023-Q3,3\n'
            'ENT-APPEALS-RATE,2023-Q3,"87.5"\nSCI-DAY,2023-09,2023.09.22\n'),
        "long_fullwidth_digits.csv": csv_text(
            "指标编码,期间,实际值\n"
            "INV-EVENTS,２０２３年第三季度,２\nINV-VISITS,２０２３－０７,３\nINV-FIRMS,2023-Q3,１，０００\n"
            "HK-BASES,2023-Q3,３\nENT-APPEALS-RATE,2023-Q3,８７．５％\nSCI-DAY,2023-09,２０２３－０９－２２\n",
            "utf-8-sig"),
        "long_by_chinese_name.csv": csv_text(
            "指标名称,季度,数值\n"
            "市外招商活动,2023-Q3,2\n精准上门招商,2023年7月,3\n对接重点领域企业,2023-Q3,1000\n"
            "港澳青年创新创业基地运营,2023-Q3,3\n企业诉求办结率,2023-Q3,87.5\n全国科普日系列活动,2023-09,2023-09-22\n",
            "gbk"),
        "long_by_english_name.csv": csv_text(
            "Indicator name,Period,Value\n"
            "Out-of-city investment promotion events,2023-Q3,2\n"
            "targeted door-to-door investment visits,2023-07,3\n"
            '"Key firms contacted (software/IT, health, safety/energy/environment)",2023-Q3,1000\n'
            "Hong Kong/Macao youth innovation bases operating,2023-Q3,3\n"
            "Enterprise appeals resolved,2023-Q3,87.5\n"
            "National Science Popularization Day activities held,2023-09,2023-09-22\n"),
        "long_trailing_empty.csv": csv_text(
            "indicator,period,value,,\n"
            "INV-EVENTS,2023-Q3,2,,\nINV-VISITS,2023-07,3,,\nINV-FIRMS,2023-Q3,1000,,\nHK-BASES,2023-Q3,3,,\n"
            "ENT-APPEALS-RATE,2023-Q3,87.5,,\nSCI-DAY,2023-09,2023-09-22,,\n"
            ",,,,\n\n,,,,\n   \n"),
        "wide_template.csv": to_csv_bytes(wide_text),
        "wide_template_gbk.csv": to_csv_bytes(wide_text).decode("utf-8-sig").encode("gbk"),
        "long.xlsx": xlsx([["指标编码", "期间", "实际值", "备注"],
                           ["INV-EVENTS", "2023-Q3", 2, None],
                           ["INV-VISITS", "2023年7月", 3, None],
                           ["INV-FIRMS", "2023-Q3", 1000, None],
                           ["HK-BASES", "2023-Q3", 3, None],
                           ["ENT-APPEALS-RATE", "2023-Q3", 87.5, None],
                           ["SCI-DAY", dt.datetime(2023, 9, 1), dt.datetime(2023, 9, 22), "已办结"]],
                          pad_to=(30, 12)),
        "wide_template.xlsx": template_xlsx(wide),
        "wide_notes_sheet_first.xlsx": xlsx([list(wide.columns), *([v if v != "" else None for v in row]
                                                                     for row in wide.itertuples(index=False))],
                                            sheet=TEMPLATE_SHEET,
                                            before={"说明 Notes": [[line] for line in TEMPLATE_NOTES]}),
        "milestone_date_slashes.csv": csv_text(LONG_EN.replace("2023-09,2023-09-22", "2023-09,2023/9/22")),
        "milestone_date_chinese.csv": csv_text(LONG_ZH.replace("2023年09月22日", "2023年9月22日"), "gbk"),
        "long_percent_cell.xlsx": xlsx([["indicator", "period", "value"], ["INV-EVENTS", "2023-Q3", 2],
                                        ["INV-VISITS", "2023-07", 3], ["INV-FIRMS", "2023-Q3", 1000],
                                        ["HK-BASES", "2023-Q3", 3], ["ENT-APPEALS-RATE", "2023-Q3", 0.875],
                                        ["SCI-DAY", "2023-09", dt.datetime(2023, 9, 22)]], percent="C6"),
        "xlsx_named_csv.csv": xlsx([["indicator", "period", "value"], ["INV-EVENTS", "2023-Q3", 2],
                                    ["INV-VISITS", "2023-07", 3], ["INV-FIRMS", "2023-Q3", "1,000"],
                                    ["HK-BASES", "2023-Q3", 3], ["ENT-APPEALS-RATE", "2023-Q3", 0.875 * 100],
                                    ["SCI-DAY", "2023-09", "2023-09-22"]]),
    }


def write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and old.name not in files:
            old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    write(HERE / "bad", bad_files())
    write(HERE / "good", good_files())
    print(f"wrote {len(bad_files())} bad files and {len(good_files())} good files under {HERE}")
