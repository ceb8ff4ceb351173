"""``python -m reports``: the ``yosan`` command without the console script."""

from reports.command import run

run()
