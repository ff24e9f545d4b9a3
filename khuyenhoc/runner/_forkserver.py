"""Imported only by the process pool's fork server (as a preload): the server ends when the run that started it dies,
and its pool workers, which watch it the same way, end with it."""

from khuyenhoc.runner.lifeline import die_with_parent

die_with_parent()
