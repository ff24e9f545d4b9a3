"""Characters text may not carry: found, removed for XML, shown escaped and cut in messages."""

from __future__ import annotations

import re

from khuyenhoc.safetext import NO_CONTROL_PATTERN, control_characters, shown, truncated, xml_safe


def test_control_characters_are_found_once_each_and_whitespace_is_not_one():
    assert control_characters("a\x01b\x01c\x7f\x85") == ["U+0001", "U+007F", "U+0085"]
    assert control_characters("Xã An\tHòa\r\n") == []
    assert re.match(NO_CONTROL_PATTERN, "Xã An\nHòa") and not re.match(NO_CONTROL_PATTERN, "Xã\x00 An")


def test_xml_safe_drops_only_what_xml_cannot_hold():
    assert xml_safe("Xã\x00 An\x0b\tHòa\n\ufffe") == "Xã An\tHòa\n"
    assert xml_safe("\x85 stays") == "\x85 stays"  # a C1 control is legal XML (validation refuses it, the writer need not)


def test_shown_escapes_and_cuts():
    assert shown("QĐ\x00 387\nx") == "QĐ\\x00 387\\x0ax"
    assert shown("x" * 5000) == "x" * 79 + "…" and len(shown("x" * 80)) == 80
    assert truncated("abcdef", 4) == "abc…" and truncated("abc", 4) == "abc"
