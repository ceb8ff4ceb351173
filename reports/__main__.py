"""``python -m yosan_ledger.reports``: the ``yosan`` command without the console script."""

from yosan_ledger.reports.command.cli import run

if __name__ == "__main__":  # not when a worker process imports the main module
    run()
