"""User text shown as text: a note, a file name, an upload's header or a plan's name never becomes a link, an
image, HTML or formatting when a Streamlit element renders it as Markdown.

Escaped: the marks that make links, images, HTML, code, emphasis, maths and tables (``[ ] < > ` * _ ~ $ | \\``),
and list or heading marks at the start of a line. A bare address (``http://``, ``www.``, ``name@host``) is turned
into a link by GitHub-flavoured Markdown after escapes are resolved, so no escape stops it: an invisible word joiner
(U+2060) inside ``://``, after ``www`` and before ``@`` does. Everything else stays as typed, so sentences such as
"Actual 16 events · Target 20 events (80%)" read the same in the page and in a test.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>~$|])")
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
_LINE_MARK = re.compile(r"(?m)^([ \t]*)([#+\-=])")
_LINE_NUMBER = re.compile(r"(?m)^([ \t]*\d+)([.)])")


def plain(text: object) -> str:
    """Text from a file, a link, a plan or a user, escaped so Markdown shows it exactly as typed."""
    out = _INLINE.sub(r"\\\1", "" if text is None else str(text))
    out = _AUTOLINK.sub(WORD_JOINER, out)
    out = _LINE_MARK.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return _LINE_NUMBER.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
