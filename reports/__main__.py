"""``python -m yosan_ledger.reports``: the ``yosan`` command without the console script."""

from yosan_ledger.reports.command.cli import run

run()
