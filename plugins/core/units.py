"""Units the statements are shown in, and the rounding the published tables use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from yosan_ledger.plugins.core.messages import Message, _

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Unit:
    key: str
    label: str  # as printed: 単位：千円
    yen: int


UNITS = {
    u.key: u
    for u in (
        Unit("yen", "円", 1),
        Unit("thousand", "千円", 1000),
        Unit("million", "百万円", 10**6),
    )
}
BY_LABEL = {u.label: u for u in UNITS.values()}


def round_half_up(yen: int, unit: Unit) -> int:
    """四捨五入 to the unit: halves away from zero, as the published tables round."""
    quotient, remainder = divmod(abs(yen), unit.yen)
    rounded = quotient + (1 if 2 * remainder >= unit.yen else 0)
    return rounded if yen >= 0 else -rounded


def scale_frame(frame: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    """A frame of yen in the unit, each figure rounded half-up on its own (so totals
    may differ from the sum of their rounded lines, as the source notes)."""
    import numpy as np
    import pandas as pd  # here: the command parses its options before pandas loads

    if unit.yen == 1:
        return frame.copy()
    values = frame.to_numpy(dtype=np.int64)
    quotient, remainder = np.divmod(np.abs(values), unit.yen)
    rounded = quotient + (2 * remainder >= unit.yen)
    return pd.DataFrame(np.sign(values) * rounded, index=frame.index, columns=frame.columns)


def unknown_unit(label: str) -> str:
    """The message for a published figure in a unit no table uses."""
    return _("Unknown unit {unit!r}: one of {known}", unit=label, known=", ".join(BY_LABEL))


def discrepancy(
    published: int, computed: int, unit: Unit, *, gives: str = "the ledger gives"
) -> Message:
    """How a published figure and the computed one differ, as every check says it:
    ``published 2,000 千円, the ledger gives 1,000 千円 (difference -1,000)``."""
    values = dict(published=published, computed=computed, unit=unit.label)
    if gives == "the ledgers give":
        return _(
            "published {published:,} {unit}, the ledgers give {computed:,} {unit} "
            "(difference {difference:+,})",
            difference=computed - published,
            **values,
        )
    return _(
        "published {published:,} {unit}, the ledger gives {computed:,} {unit} "
        "(difference {difference:+,})",
        difference=computed - published,
        **values,
    )
