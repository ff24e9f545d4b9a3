"""ids.py: one rule for what may be a unit id (it names files and folders of the reports)."""

from __future__ import annotations

import pytest

from khuyenhoc.ids import is_unit_id


@pytest.mark.parametrize("value", ["duc-xuan", "u000001", "xa_a", "a" * 64, "com10"])
def test_ids_that_may_name_a_file(value):
    assert is_unit_id(value)


@pytest.mark.parametrize("value", ["", "../etc", "Duc-Xuan", "đức", "a b", "a" * 65, "con", "lpt1", "nul", None, 12, "a/b"])
def test_ids_that_may_not(value):
    assert not is_unit_id(value)
