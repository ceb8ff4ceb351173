"""Beancount plugins of yosan-ledger and the statement engine they share.

The ledger names the plugins (``plugin "plugins.segments"`` …); each enforces one
rule on every load, so bean-check, Fava and the ``yosan`` command see the same
errors.  ``plugins.engine`` turns the checked entries into the three statements.
"""

# The order in which a ledger should name the plugins; the CLI runs the same
# chain itself on a ledger that names none of them.
PLUGIN_CHAIN = (
    "plugins.segments",
    "plugins.fiscal_year",
    "plugins.yen",
    "plugins.statement_lines",
    "plugins.statements",
    "plugins.published",
    "plugins.overview",
    "plugins.advances",
    "plugins.commitments",
)
