"""``python -m khuyenhoc`` runs the command line."""

from khuyenhoc.cli import run

run()
