"""The one error channel between the C kernels and the public functions.

A kernel that meets bad data inside its loop raises a ``ValueError`` carrying
structured attributes (set in ``csrc/errors.c``): ``status`` (a name from
``MULTIPOLAR_STATUS_NAMES`` in ``csrc/multipolar.h``), ``argument`` (the
kernel's argument name, as in ``_core.pyi``),
``field`` (the position within a tuple or 2-D argument, or None), ``row``,
``value``, ``limit`` and ``problem`` (the words of the message). Public
functions call kernels through :func:`call`, which restates such an error as
:class:`InputError` naming the public function and the user's own column: no
wrapper parses a C message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = ["InputError", "InputTypeError", "call", "restate"]

T = TypeVar("T")


class InputError(ValueError):
    """Bad input to a public function of multipolar.

    The message reads ``<function>: <argument or column> <problem>; got <value>``
    and, for a value found inside a column, ``at row <position>`` (0-based
    position in the frame as passed). The attributes ``function``, ``argument``,
    ``row`` and ``value`` hold the same facts for programs.
    """

    def __init__(self, message: str, *, function: str | None = None,
                 argument: str | None = None, row: int | None = None,
                 value: Any = None) -> None:
        super().__init__(message)
        self.function = function
        self.argument = argument
        self.row = row
        self.value = value


class InputTypeError(InputError, TypeError):
    """Input of the wrong type (a :class:`InputError` that is also a ``TypeError``)."""


Names = Mapping[str, "str | Sequence[str]"]


def restate(exc: BaseException, func: str, names: Names | None = None,
            rows: Any = None) -> BaseException:
    """The user's version of a kernel error: an :class:`InputError` naming ``func``.

    ``names`` maps a kernel argument to the user's word for it: a string (a
    column or argument name) or, for tuple and 2-D arguments, one name per
    field. Columns are quoted (``column 'milex'``). ``rows`` (an integer array)
    maps the kernel's rows to the user's, where the wrapper passed a subset. An
    exception that does not come from the kernel's status channel is returned
    unchanged.
    """
    status = getattr(exc, "status", None)
    argument = getattr(exc, "argument", None)
    if status is None or argument is None or not isinstance(exc, ValueError):
        return exc
    field = getattr(exc, "field", None)
    word: str = argument if field is None else f"{argument}[{field}]"
    named = (names or {}).get(argument)
    if isinstance(named, str):
        word = named
    elif named is not None and field is not None and 0 <= field < len(named):
        word = f"column {named[field]!r}"
    value = getattr(exc, "value", None)
    got = _format_value(value, status)
    row = getattr(exc, "row", None)
    if row is not None and rows is not None and 0 <= row < len(rows):
        row = int(rows[row])
    msg = f"{func}: {word} {exc.problem}; got {got}"  # type: ignore[attr-defined]
    if row is not None:
        msg += f" at row {row}"
    return InputError(msg, function=func, argument=word, row=row, value=value)


def _format_value(value: Any, status: str) -> str:
    if isinstance(value, float) and status in ("code_range", "duplicate", "too_many") \
            and value.is_integer():
        return str(int(value))
    return repr(value)


def call(func: str, kernel: Callable[..., T], *args: Any, names: Names | None = None,
         rows: Any = None, **kwargs: Any) -> T:
    """Call ``kernel(*args, **kwargs)``; restate a status error in ``func``'s words."""
    try:
        return kernel(*args, **kwargs)
    except ValueError as exc:
        new = restate(exc, func, names, rows)
        if new is exc:
            raise
        raise new from None
