"""Imported only by the process pool's fork server (as a preload): the server ends when the run that started it dies,
and its pool workers, which watch it the same way, end with it. A report is exported here once (an empty one), so
every worker forked from the server starts with the exporter made, its templates compiled and the stylesheets parsed."""

import nbformat

from khuyenhoc.i18n import DEFAULT_LANG
from khuyenhoc.runner.export import to_html
from khuyenhoc.runner.lifeline import die_with_parent

die_with_parent()
to_html(nbformat.v4.new_notebook(), "khuyenhoc", DEFAULT_LANG)
