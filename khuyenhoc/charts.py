"""Deprecated: the runner's kernel template imports STYLE and to_png from here (runner/template.py); see khuyenhoc.render.charts."""

from khuyenhoc.render.charts import STYLE, to_png  # noqa: F401
