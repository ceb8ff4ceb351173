"""The ledger names its statement layouts, and they can be read.

    2016-04-01 custom "yosan-layouts" "layouts"

The directive names a folder, relative to the file holding it, whose
``statements.toml`` lists the ledger's statements (see
``yosan_ledger.plugins.core.layout``).  A ledger without the directive, with a
second one, with a folder that does not exist, or with a layout that contradicts
itself (a reference to a row no statement has, a row declared twice, invalid
TOML) is an error: at the layout file's line where there is one, else at the
directive.  The layout files count as the ledger's input, so the statement cache
and Fava's file watcher see an edit to them.
"""

from __future__ import annotations

import os
from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import results, walk
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.results import LAYOUTS, LAYOUTS_FORM
from yosan_ledger.plugins.core.sources import layout_files

__plugins__ = ("check_layouts",)

LayoutsError = namedtuple("LayoutsError", "source message entry")


def check_layouts(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[LayoutsError]]:
    """The ledger names one layout folder, and its statement files can be read: every
    problem at the layout file and line where there is one, else at the directive."""
    found = results.layout_folder(entries)
    if found.directive is None:
        meta = data.new_metadata(options_map.get("filename", "<ledger>"), 0)
        message = _(
            "The ledger names no statement layouts; write the statements as TOML in a folder "
            "beside the ledger (`yosan new DIR` writes a starter) and name it: YYYY-MM-DD {form}",
            form=LAYOUTS_FORM,
        )
        return entries, [LayoutsError(meta, message, None)]
    errors = [
        LayoutsError(e.meta, _("A second layout folder; a ledger has one"), e)
        for e in walk.customs(entries, LAYOUTS)[1:]
    ]
    if found.error is not None:
        errors.append(LayoutsError(*results.layout_problem(found.error, found.directive)))
    if found.folder is not None and found.folder.is_dir() and "include" in options_map:
        # As reached (a symbolic link not resolved): the cache then sees a link retargeted.
        files = [str(p) for p in layout_files(found.folder) if os.path.lexists(p)]
        options_map["include"] = list(dict.fromkeys([*options_map["include"], *files]))
    return entries, errors
