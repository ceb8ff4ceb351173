"""Ctrl-C, raised where the command stands.

The command's handler of SIGINT raises ``Interrupted`` (a ``BaseException``, so
that files being written are cleaned up on the way out and click does not catch
it to say "Aborted!").  Beancount's parser, though, turns whatever its Python
callbacks raise into an error of the ledger and goes on: a load is asked again,
with ``raise_if_interrupted``, before its result is kept or shown.
"""

from __future__ import annotations


class Interrupted(BaseException):
    """Ctrl-C."""


_interrupted = False


def interrupt(signum: int, frame: object) -> None:
    """The handler of SIGINT."""
    global _interrupted
    _interrupted = True
    raise Interrupted


def raise_if_interrupted() -> None:
    if _interrupted:
        raise Interrupted
