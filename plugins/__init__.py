"""The rules of a yosan-ledger budget, as Beancount plugins, and their library.

Each module here enforces one rule on every load, so bean-check, Fava and the
``yosan`` command report the same errors; ``yosan_ledger.plugins.all`` runs them
all, in order, and is the plugin a ledger names.  The library they and the
reports share (the budget, layouts, the statement engine, units, eras, the
schedules) is ``yosan_ledger.plugins.core``; the load that runs them is
``yosan_ledger.load``.
"""

# The plugin a ledger names to run every rule.
RULES_PLUGIN = "yosan_ledger.plugins.all"
# The names earlier versions installed, and what replaced them.
RENAMED_PACKAGES = {"plugins": "yosan_ledger.plugins", "reports": "yosan_ledger.reports"}
