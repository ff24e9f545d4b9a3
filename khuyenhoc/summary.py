"""Deprecated: the runner's kernel template warms this import (runner/template.py); the models are in khuyenhoc.reports."""

from khuyenhoc.reports.annual import AnnualSummary  # noqa: F401
from khuyenhoc.reports.profile import UnitProfile  # noqa: F401
from khuyenhoc.reports.trends import Trends  # noqa: F401
