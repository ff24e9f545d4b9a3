"""Deprecated: the runner's kernel template warms this import (runner/template.py); see khuyenhoc.render.display."""

from khuyenhoc.render.display import *  # noqa: F403
