"""The load: a ledger's files to Beancount's entries, errors and options.

``ledger`` is the one way in, for the ``yosan`` command, ``yosan fava`` and a
ledger a directive names: the gate, the refusal of foreign code, then
Beancount's steps (``steps``), which parse each file once per content, on every
core (``parsing``), and book a transaction of whole yen in one currency without
Beancount's inventories (``booking``).  ``foreign`` is what
``--no-foreign-plugins`` refuses.  ``internals`` is the one module that uses
Beancount's private API, with the list of what it uses and why.

The rules (``yosan_ledger.plugins``) load through ``ledger.load_named`` a ledger
a directive names; the load runs them by name, never importing them.
"""
