"""Where the per-ledger step runs: this process, a process pool, or a Spark cluster.

The step (``entity.ledger_figures``) is independent per ledger and its result is
small (the dataset's rows of a few entities), so each engine only maps it over the
ledgers and hands the results back here, where the dataset is written and combined.

- ``in_process``: one ledger after another (one worker, or a program that cannot
  start worker processes);
- ``on_processes``: a pool of worker processes (Python's ``forkserver``), the default;
- ``on_spark``: a Spark cluster, given its master (``local[2]``, ``spark://host:7077``,
  ``yarn`` …): one task per ledger, on the executors' Python, which must have
  yosan-ledger installed and read the ledgers at the same paths as this machine (a
  shared folder), as any Spark job reading local files.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from yosan_ledger.plugins.core.messages import _
from yosan_ledger.reports.consolidation.entity import LedgerFigures, LedgerWork, ledger_figures

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Engine = Callable[[Sequence[LedgerWork]], list[LedgerFigures]]


class EngineUnavailable(Exception):
    """The engine asked for is not installed or cannot start."""


def in_process(works: Sequence[LedgerWork]) -> list[LedgerFigures]:
    return [ledger_figures(work) for work in works]


def on_processes(workers: int) -> Engine:
    """A pool of ``workers`` processes (one: this process alone)."""

    def run(works: Sequence[LedgerWork]) -> list[LedgerFigures]:
        from yosan_ledger.load.parsing import main_module_guarded

        count = min(workers, len(works))
        if count <= 1 or not main_module_guarded():
            return in_process(works)
        context = multiprocessing.get_context("forkserver")
        # The workers start from a process that has imported the step already.
        context.set_forkserver_preload([ledger_figures.__module__])
        chunk = max(1, len(works) // (count * 8))
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            return list(pool.map(ledger_figures, works, chunksize=chunk))

    return run


def spark_session(master: str) -> SparkSession:
    """A Spark session on ``master``: ANSI SQL (an overflow is an error, never a
    wrapped figure), partition folders read as text, no web UI."""
    try:
        with warnings.catch_warnings():  # pyspark's own doubt about this pandas: not ours
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(
            _("Spark is not installed: pip install 'yosan-ledger[spark]' (and a Java runtime)")
        ) from None
    if master.startswith("local"):
        # The executors are this machine's: the same Python, with yosan-ledger.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("yosan consolidate")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.ansi.enabled", "true")
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate()
        )
    except Exception as error:  # noqa: BLE001 - py4j and the JVM raise anything
        raise EngineUnavailable(
            _("Spark cannot start on {master}: {error}", master=master, error=error)
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def on_spark(master: str) -> Engine:
    """One Spark task per ledger on the cluster ``master``."""

    def run(works: Sequence[LedgerWork]) -> list[LedgerFigures]:
        session = spark_session(master)
        context = session.sparkContext
        return context.parallelize(list(works), max(1, len(works))).map(ledger_figures).collect()

    return run
