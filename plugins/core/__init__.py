"""The library the rules and the reports share: pure functions of a ledger's entries.

``budget`` (the budget and its segments), ``layout`` (statement layouts as data),
``accounts`` (which row each account feeds), ``engine`` (the statements),
``published``, ``advances``, ``commitments`` and ``overview`` (the schedules),
``results`` (each computed once per list of entries), ``units`` and ``era``
(how figures and years print), ``walk`` (cheap passes over the entries),
``sources`` (the gate every file a load reads passes before it is parsed) and
``loading`` (Beancount's load, the one module that uses its private API).
"""
