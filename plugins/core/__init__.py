"""The library the rules and the reports share: functions of a ledger's entries.

``budget`` (the budget and its segments), ``revisions`` (補正予算), ``layout`` and
``schema`` and ``toml_lines`` (statement layouts as data, and where each value
stands), ``accounts`` (which row each account feeds), ``cash`` (how a cash
statement counts a transaction), ``engine`` (the statements), ``published``,
``advances``, ``commitments`` and ``overview`` (the schedules), a year's execution
(``actuals``, ``execution``, ``local``, ``appropriations``, ``acts``, ``flows``,
``control``, ``revenue``, ``settlement``), ``results`` and ``memo`` (each result
computed once per list of entries), ``problem`` (an error at a directive),
``units`` and ``era`` (how figures and years print), ``walk`` (cheap passes over
the entries), ``messages`` (the catalogs), ``spelling`` (hints for a mistyped
name) and ``sources`` (the gate every file a load reads passes before it is
parsed, and the one way the library opens a file).

The load is ``yosan_ledger.load``: the library asks it only for a ledger a
directive names (``load_named``, in ``actuals`` and ``overview``).
"""
