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
