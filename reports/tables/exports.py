"""What `yosan export` writes, as frames: every figure of every statement shown (one a
row), and every posting the statements are made of.  The renderers (CSV, the
workbook's 数値 sheet, Parquet) only write these out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger

CODE = re.compile(r"^\d[0-9A-Za-z]*-")  # 11- in 11-現金預金


def figure_rows(ledger: LoadedLedger, unit: Unit) -> pd.DataFrame:
    """Every figure of every statement shown, segment and total, one a row, in the unit:
    statement, section, line, segment, amount, unit; with the row's reference
    (``line_ref``) and whether 執行率 means something on it (``rated``)."""
    from yosan_ledger.plugins.core.engine import tidy

    statements = ledger.statements
    frame = tidy(statements, unit)
    rows = {
        (row.statement, row.section, row.label): (row, layout)
        for layout in statements.layouts
        for row in layout.value_rows()
    }
    keys = zip(frame["statement"], frame["section"], frame["line"], strict=True)
    found = [rows[key] for key in keys]
    frame["unit"] = unit.label
    frame["line_ref"] = [row.ref for row, _layout in found]
    frame["rated"] = [layout.rated(row) for row, layout in found]
    return frame


def account_name(account: str) -> str:
    """現金預金 for Assets:1-流動資産:11-現金預金."""
    leaf = account.rpartition(":")[2]
    return CODE.sub("", leaf, count=1) or leaf


def _relative(filename: str | None, folder: Path) -> str | None:
    if not filename or filename.startswith("<"):
        return filename
    try:
        return Path(filename).resolve().relative_to(folder).as_posix()
    except ValueError:
        return filename


def posting_rows(ledger: LoadedLedger) -> pd.DataFrame:
    """One row per posting the statements are made of (``engine.collect_postings``), in
    yen: date, account and its name, segment and its name, amount, opening, payee,
    narration, the line the account feeds, and where the posting is (relative to the
    main file's folder)."""
    import pandas as pd

    from yosan_ledger.plugins.core.accounts import map_accounts
    from yosan_ledger.plugins.core.engine import collect_postings

    statements = ledger.statements
    entries = ledger.entries
    keys = [s.key for s in statements.segments]
    names = {s.key: s.name for s in statements.segments}
    postings = collect_postings(entries, statements.budget, keys)
    line_of, _ = map_accounts(entries, statements.layouts)
    folder = ledger.path.resolve().parent
    accounts = [str(a) for a in postings.account]
    records = []
    for i, j, account, segment, opening in zip(
        postings.transaction.tolist(),
        postings.posting_index.tolist(),
        accounts,
        [keys[code] for code in postings.segment],
        postings.opening.tolist(),
        strict=True,
    ):
        entry = postings.transactions[i]
        meta = entry.postings[j].meta or entry.meta
        records.append(
            (
                entry.date,
                account,
                account_name(account),
                segment,
                names[segment],
                opening,
                entry.payee,
                entry.narration,
                line_of.get(account),
                _relative(meta.get("filename"), folder),
                meta.get("lineno"),
            )
        )
    columns = ["date", "account", "account_name", "segment", "segment_name", "opening"]
    columns += ["payee", "narration", "line_ref", "filename", "lineno"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["amount"] = postings.amount
    return frame
