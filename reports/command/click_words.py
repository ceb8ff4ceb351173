"""Click's own words ("Usage:", "Error: …", "No such option …"), for the catalog.

Click looks its words up with the standard library's ``gettext`` (the global text
domain); under a Japanese locale the command makes the yosan catalog that domain
(``messages.bind_global_domain``), so the catalog carries their translations too.
They are listed here, exactly as click 8 writes them (``click/core.py``,
``exceptions.py``, ``parser.py``, ``types.py``, ``formatting.py``,
``decorators.py``), only so that Babel extracts them: nothing calls this module
when the command runs.  tests/test_japanese.py checks that each is still one of
click's messages.  Left out: what only a program's author sees (a parameter
declared twice …), prompts, the editor, shell completion and Windows; and the
names of path types ("file", "path"), which click also prints as metavariables
(``--ledger FILE``): in kana they would break the alignment of the help.
"""

from __future__ import annotations

from gettext import ngettext

from yosan_ledger.plugins.core.messages import _

WORDS = (
    _("Usage:"),
    _("Options"),
    _("Commands"),
    _("Error: {message}"),
    _("Try '{command} {option}' for help."),
    _("Aborted!"),
    _("Show this message and exit."),
    _("Show the version and exit."),
    _("%(prog)s, version %(version)s"),
    _("default: {default}"),
    _("env var: {var}"),
    _("required"),
    _("(dynamic)"),
    _("Missing command."),
    _("No such command {name!r}."),
    _("No such option {name!r}."),
    _("Option {name!r} does not take a value."),
    _("Missing argument"),
    _("Missing option"),
    _("Missing parameter"),
    _("Missing {param_type}"),
    _("Missing parameter: {param_name}"),
    _("Invalid value: {message}"),
    _("Invalid value for {param_hint}: {message}"),
    _("Choose from:\n\t{choices}"),
    _("{value!r} is not a valid {number_type}."),
    _("{value} is not in the range {range}."),
    _("{value!r} is not a valid boolean. Recognized values: {states}"),
    _("{name} {filename!r} does not exist."),
    _("{name} {filename!r} is a file."),
    _("{name} {filename!r} is a directory."),
    _("{name} {filename!r} is not readable."),
    _("{name} {filename!r} is not writable."),
    _("Could not open file {filename!r}: {message}"),
    _("unknown error"),
)

# Click's words with a plural: one form in Japanese.
PLURALS = (
    ngettext(
        "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1
    ),
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    ),
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
    ngettext(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
        1,
    ),
)
