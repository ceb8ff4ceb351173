"""Consolidation (連結): many ledgers' statements combined, by scope, with eliminations.

A small TOML file declares the entities (each a ledger, or one segment of it), the
scope each enters at (一般会計等 ⊂ 全体 ⊂ 連結), the share of a partly owned one, the
consolidated statements (a layout folder, as a ledger's), how each entity's rows
feed their lines, and the pairs of rows that are internal (繰出金 ↔ 繰入金, 貸付金 ↔
借入金, 負担金 paid ↔ received).  The flow:

- ``declaration``: the file read and checked, each problem at its file and line;
- ``entity``: the per-ledger step (load the ledger, map its rows to the consolidated
  lines, check that nothing with a figure is left unmapped), independent per ledger;
- ``engines``: that step run in this process, on a process pool, or on Spark;
- ``dataset``: its results as a partitioned Parquet dataset (``scope=…/entity=…``);
- ``combine``: one SQL query over the dataset (DuckDB, or Spark SQL: the same text)
  adds the entities up per scope and takes the eliminations off; the consolidated
  layout makes the totals;
- ``run``: all of it in order, every problem of every ledger gathered first;
- ``tables``: the result as ``Table``s (単純合算 / 相殺消去 / the scope) and CSV rows.
"""
