"""Deprecated: the runner's kernel template warms this import (runner/kernels.py); see khuyenhoc.render.display."""

from khuyenhoc.render.display import *  # noqa: F403
