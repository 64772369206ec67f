"""The outline of a plan's text: title, issuer, date, sections (一、 / （一）), sentences and clauses.

Sections become the plan's areas: the top sections (一、二、…); a top section made of parts (（一）（二）…)
gives one area per part; the 一是 / 二是 sentences inside a section stay inside it (they lead its paragraphs).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

CN = "一二三四五六七八九十"
TOP = re.compile(rf"^([{CN}]+)、\s*(.*)$")
PART = re.compile(rf"^[（(]([{CN}]+)[)）]\s*(.*)$")
# 一是 / 1. / （1） opening a paragraph
LEAD = re.compile(rf"^(?:[{CN}]+是|\d{{1,2}}(?:[、．]|\.(?!\d))|[（(]\d{{1,2}}[)）])\s*")
TITLE_WORDS = ("工作计划", "工作要点", "工作方案", "实施方案", "行动计划", "工作思路", "工作安排", "工作打算",
               "计划", "要点", "思路", "安排")
SENTENCE_END = "。！？；;!?"
CLAUSE_END = "，,：:"
PAIRS = {"“": "”", "（": "）", "(": ")", "《": "》", "「": "」", "【": "】"}
SPACES = " \t\u3000\xa0"


@dataclass
class Section:
    """A heading and the paragraphs under it."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    parts: list[Section] = field(default_factory=list)


@dataclass
class Outline:
    title: str | None
    issuer: str | None
    published: dt.date | None
    preamble: list[str]
    areas: list[Section]  # the sections that become areas
    whole: bool = False  # no headings: the whole text is one area


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a text, without their indentation."""
    return [line.strip(SPACES) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if line.strip(SPACES)]


def _heading(rest: str) -> tuple[str, str]:
    """A heading line: the heading up to its first full stop, and what follows it (the body's start)."""
    cut = next((i for i, c in enumerate(rest) if c in "。；;"), None)
    if cut is None:
        return rest.rstrip("：:，,").strip(), ""
    return rest[:cut].strip(), rest[cut + 1:].strip(SPACES)


def outline(text: str) -> Outline:
    lines = paragraphs(text)
    preamble: list[str] = []
    tops: list[Section] = []
    loose: list[Section] = []  # parts before any top section
    for line in lines:
        top, part = TOP.match(line), PART.match(line)
        if top:
            heading, body = _heading(top.group(2))
            tops.append(Section(heading, [body] if body else []))
        elif part:
            heading, body = _heading(part.group(2))
            section = Section(heading, [body] if body else [])
            (tops[-1].parts if tops else loose).append(section)
        elif tops:
            (tops[-1].parts[-1] if tops[-1].parts else tops[-1]).paragraphs.append(line)
        elif loose:
            loose[-1].paragraphs.append(line)
        else:
            preamble.append(line)
    areas: list[Section] = list(loose)
    for top in tops:
        if top.parts:  # a section made of parts: each part an area (its own opening words, if any, one too)
            areas += ([Section(top.heading, top.paragraphs)] if top.paragraphs else []) + top.parts
        else:
            areas.append(top)
    title = _title(preamble or lines[:3])
    whole = not areas
    if whole:
        body = [p for p in preamble if p != title]
        areas = _by_leads(body) or [Section("", body)]
    return Outline(title, _issuer(preamble, title), _published(preamble + lines[-3:]), preamble, areas, whole)


def _by_leads(body: list[str]) -> list[Section]:
    """A text without sections but with 一是… 二是… paragraphs: each is an area, headed by its opening words
    (up to the first comma or full stop); the words before the first are not a part of any."""
    starts = [k for k, p in enumerate(body) if re.match(rf"^[{CN}]+是", p)]
    if len(starts) < 2:
        return []
    out = []
    for k, start in enumerate(starts):
        paragraph = body[start]
        cut = next((i for i, c in enumerate(paragraph) if c in "。；;，,"), len(paragraph))
        heading = LEAD.sub("", paragraph[:cut]).strip()
        rest = [paragraph[cut + 1:].strip(SPACES)] + body[start + 1:starts[k + 1] if k + 1 < len(starts) else None]
        out.append(Section(heading, [p for p in rest if p]))
    return out


def _title(lines: list[str]) -> str | None:
    with_year = [line for line in lines if re.search(r"\d{4}年", line) and line.endswith(TITLE_WORDS)]
    plain = [line for line in lines if line.endswith(TITLE_WORDS) and len(line) <= 60]
    found = with_year or plain
    return found[0] if found else None


def _issuer(preamble: list[str], title: str | None) -> str | None:
    for line in preamble:
        m = re.search(r"来源[:：]\s*([^\s　]+)", line)
        if m:
            return m.group(1)
    m = re.match(r"^(.+?)(?:关于)?\d{4}年", title or "")
    return m.group(1) if m and len(m.group(1)) >= 2 else None


def _published(lines: list[str]) -> dt.date | None:
    for line in lines:
        m = (re.search(r"(?:发布|印发|成文)?(?:时间|日期)[:：]\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})", line)
             or re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", line))
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                continue
    return None


def _split(text: str, ends: str) -> list[tuple[int, int]]:
    """Spans of the pieces of a text cut at ``ends``, never inside quotes or brackets."""
    spans, start, closing = [], 0, []
    for i, char in enumerate(text):
        if closing and char == closing[-1]:
            closing.pop()
        elif char in PAIRS:
            closing.append(PAIRS[char])
        elif char in ends and not closing:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip(SPACES)]


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, without their closing mark."""
    return [paragraph[a:b].strip(SPACES) for a, b in _split(paragraph, SENTENCE_END)]


def clauses(sentence: str) -> list[tuple[int, int]]:
    """Where each clause of a sentence is (cut at commas and colons, not inside quotes or brackets)."""
    out = []
    for a, b in _split(sentence, CLAUSE_END):
        while a < b and sentence[a] in SPACES:
            a += 1
        out.append((a, b))
    return out


WRAPPED_SHARE = 0.2  # this share of a text's lines broken mid-sentence at one width: it was copied from a page


def _full_width(lines: list[str]) -> int:
    widths = sorted(len(line.strip(SPACES)) for line in lines if line.strip(SPACES))
    return (widths[int(len(widths) * 0.9)] if len(widths) >= 10 else widths[-1]) if widths else 0


def looks_wrapped(text: str) -> bool:
    """Whether a pasted text keeps a page's line breaks (copied from a PDF): many lines of the same full width
    that stop mid-sentence."""
    lines = [line.strip(SPACES) for line in text.replace("\r\n", "\n").split("\n") if line.strip(SPACES)]
    full = _full_width(lines)
    broken = [line for line in lines if len(line) >= full - 2 and line[-1] not in SENTENCE_END + "：:"]
    return len(lines) >= 10 and len(broken) >= max(3, WRAPPED_SHARE * len(lines))


def unwrap(text: str) -> str:
    """Join the lines a PDF broke inside a paragraph.

    A line runs on into the next when it is as wide as the page's full lines and the next is not indented,
    not a heading and not blank: the short line ends its paragraph.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    full = _full_width(lines)
    if not full:
        return text
    out: list[str] = []
    last = 0  # the width of the line before (not of the paragraph joined so far)
    for line in lines:
        stripped = line.strip(SPACES)
        starts = (not stripped or line[:1] in SPACES or TOP.match(stripped) or PART.match(stripped)
                  or LEAD.match(stripped))
        if out and out[-1].strip(SPACES) and not starts and last >= full - 2:
            out[-1] = out[-1].rstrip(SPACES) + stripped
        else:
            out.append(line)
        last = len(stripped)
    return "\n".join(out)
