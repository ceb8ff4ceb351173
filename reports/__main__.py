"""``python -m reports``: the ``yosan`` command without the console script."""

from reports.cli import run

run()
