"""JLReq character classes (W3C *Requirements for Japanese Text Layout*, appendix A).

Each class is a frozenset of characters under its JLReq name. The FULLWIDTH forms of the
ASCII members and the halfwidth forms U+FF61-FF65 are members too. U+2500 (─), which the
sources double as a dash (──), is treated as a member of cl-08 (inseparable).

Tests and the typesetter read these sets; do not copy them elsewhere.
"""

from __future__ import annotations

import unicodedata


def _chars(*codepoints: int) -> frozenset[str]:
    return frozenset(chr(c) for c in codepoints)


# cl-01 opening brackets
OPENING_BRACKETS = _chars(
    0x2018, 0x201C, 0x0028, 0x3014, 0x005B, 0x007B, 0x3008, 0x300A, 0x300C, 0x300E,
    0x3010, 0x2985, 0x3018, 0x3016, 0x00AB, 0x301D,
    0xFF08, 0xFF3B, 0xFF5B, 0xFF5F, 0xFF62,
)
# cl-02 closing brackets
CLOSING_BRACKETS = _chars(
    0x2019, 0x201D, 0x0029, 0x3015, 0x005D, 0x007D, 0x3009, 0x300B, 0x300D, 0x300F,
    0x3011, 0x2986, 0x3019, 0x3017, 0x00BB, 0x301F,
    0xFF09, 0xFF3D, 0xFF5D, 0xFF60, 0xFF63,
)
# cl-03 hyphens
HYPHENS = _chars(0x2010, 0x301C, 0x30A0, 0x2013)
# cl-04 dividing punctuation
DIVIDING_PUNCTUATION = _chars(0x0021, 0x003F, 0x203C, 0x2047, 0x2048, 0x2049, 0xFF01, 0xFF1F)
# cl-05 middle dots
MIDDLE_DOTS = _chars(0x30FB, 0x003A, 0x003B, 0xFF1A, 0xFF1B, 0xFF65)
# cl-06 full stops
FULL_STOPS = _chars(0x3002, 0x002E, 0xFF0E, 0xFF61)
# cl-07 commas
COMMAS = _chars(0x3001, 0x002C, 0xFF0C, 0xFF64)
# cl-08 inseparable characters (plus U+2500 BOX DRAWINGS LIGHT HORIZONTAL, used as a dash)
INSEPARABLE = _chars(0x2014, 0x2026, 0x2025, 0x3033, 0x3034, 0x3035, 0x2500)
# cl-09 iteration marks
ITERATION_MARKS = _chars(0x30FD, 0x30FE, 0x309D, 0x309E, 0x3005, 0x303B)
# cl-10 prolonged sound mark
PROLONGED_SOUND_MARK = _chars(0x30FC)
# cl-11 small kana
SMALL_KANA = frozenset("ぁぃぅぇぉァィゥェォっゃゅょゎゕゖッャュョヮヵヶ") | _chars(*range(0x31F0, 0x3200))

JLREQ_CLASSES: dict[str, frozenset[str]] = {
    "cl-01": OPENING_BRACKETS,
    "cl-02": CLOSING_BRACKETS,
    "cl-03": HYPHENS,
    "cl-04": DIVIDING_PUNCTUATION,
    "cl-05": MIDDLE_DOTS,
    "cl-06": FULL_STOPS,
    "cl-07": COMMAS,
    "cl-08": INSEPARABLE,
    "cl-09": ITERATION_MARKS,
    "cl-10": PROLONGED_SOUND_MARK,
    "cl-11": SMALL_KANA,
}

CLASS_NAMES: dict[str, str] = {
    "cl-01": "opening brackets",
    "cl-02": "closing brackets",
    "cl-03": "hyphens",
    "cl-04": "dividing punctuation",
    "cl-05": "middle dots",
    "cl-06": "full stops",
    "cl-07": "commas",
    "cl-08": "inseparable characters",
    "cl-09": "iteration marks",
    "cl-10": "prolonged sound mark",
    "cl-11": "small kana",
}

# The line-breaking rules (JLReq 3.1.7, as the project's issue 3 states them).
NOT_AT_LINE_START: frozenset[str] = frozenset().union(
    *(JLREQ_CLASSES[c] for c in ("cl-02", "cl-04", "cl-05", "cl-06", "cl-07", "cl-09", "cl-10", "cl-11"))
)
NOT_AT_LINE_END: frozenset[str] = OPENING_BRACKETS

# Punctuation: no Japanese-Latin space beside these, no emphasis dot over them.
PUNCTUATION: frozenset[str] = frozenset().union(
    *(JLREQ_CLASSES[c] for c in ("cl-01", "cl-02", "cl-03", "cl-04", "cl-05", "cl-06", "cl-07", "cl-08"))
) | frozenset("・※〃\"'")

# Fullwidth opening brackets whose em box carries a half-em blank before the glyph
# (trimmed at the start of a line).
FULLWIDTH_OPENING_BRACKETS: frozenset[str] = frozenset(
    c for c in OPENING_BRACKETS if unicodedata.east_asian_width(c) in ("W", "F")
)


def jlreq_class(ch: str) -> str | None:
    """The JLReq class name (``"cl-01"`` …) of a character, or None."""
    for name, members in JLREQ_CLASSES.items():
        if ch in members:
            return name
    return None


def is_kana(ch: str) -> bool:
    """Hiragana or katakana (ruby may overhang these, never kanji)."""
    if len(ch) != 1:
        return False
    o = ord(ch)
    return 0x3041 <= o <= 0x309F or 0x30A0 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF


def is_japanese(ch: str) -> bool:
    """A character set on the Japanese em grid (kanji, kana, fullwidth forms, CJK punctuation)."""
    if len(ch) != 1:
        return False
    o = ord(ch)
    return (
        0x3000 <= o <= 0x30FF
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x31F0 <= o <= 0x31FF
        or 0x20000 <= o <= 0x3FFFF
        or ch in INSEPARABLE
    )


def is_latin(ch: str) -> bool:
    """A Latin letter or a European digit (the characters that get the 和欧間 quarter em)."""
    if len(ch) != 1 or is_japanese(ch):
        return False
    return unicodedata.category(ch)[0] in ("L", "N") and ord(ch) < 0x2000
