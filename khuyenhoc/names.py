"""How unit names are written inside a sentence: "xã Xuất Hóa", "phường Đức Xuân" (official style)."""

from __future__ import annotations

import re

# Administrative words that official texts write in lower case before a proper name (longest first).
ADMINISTRATIVE_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")
_LEADING = re.compile(r"^(" + "|".join(ADMINISTRATIVE_WORDS) + r")(?=\s)", re.IGNORECASE)


def in_sentence(name: str, lang: str = "vi") -> str:
    """``name`` as written mid-sentence: a leading administrative word in lower case in Vietnamese
    ("Phường Đức Xuân" → "phường Đức Xuân"); other names, and English, unchanged."""
    if lang != "vi":
        return name
    return _LEADING.sub(lambda match: match.group(1).lower(), name.strip(), count=1)


_ASSOCIATION = re.compile(r"^hội\s+khuyến\s+học\s+", re.IGNORECASE)


def place_name(name: str, lang: str = "vi") -> str:
    """The place an association's name names, as written mid-sentence:
    "Hội Khuyến học thị xã Bắc Kạn" → "thị xã Bắc Kạn"; "Xã Xuất Hóa" → "xã Xuất Hóa"."""
    return in_sentence(_ASSOCIATION.sub("", " ".join(name.split())), lang)


def administrative_word(name: str) -> str | None:
    """The administrative word a (place or association) name starts with, lower case ("thị xã"), or None."""
    match = _LEADING.match(place_name(name))
    return match.group(1).lower() if match else None


def proper_name(name: str) -> str:
    """The name without its association prefix and administrative word: "Hội Khuyến học thị xã Bắc Kạn" → "Bắc Kạn"."""
    place = place_name(name)
    return _LEADING.sub("", place, count=1).strip() or place


def kinds_of_units(names: list[str]) -> list[str]:
    """The administrative words of ``names``, each once, in the order official texts list them ("xã", "phường")."""
    found = {administrative_word(name) for name in names}
    return [word for word in ORDER_IN_LISTS if word in found]


ORDER_IN_LISTS = ("xã", "phường", "thị trấn", "đặc khu", "huyện", "quận", "thị xã", "thành phố", "tỉnh")
