"""Numeric options: one parameter type for every count and every number of seconds the
commands take, so that NaN, infinities, negative numbers and zero where it means
nothing are bad input (exit 3) everywhere, and the engine limits shared by ``check``
and ``b4-check`` are declared once."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import click

from equivcheck.equiv.check import Options
from equivcheck.limits import DEFAULT_LIMITS


class Bounded(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """A finite number in [low, high] (``low`` excluded when ``above``): a whole
    number when ``whole``, else seconds."""

    def __init__(self, low: float, high: float, *, whole: bool = False, above: bool = False):
        self.low, self.high, self.whole, self.above = low, high, whole, above
        self.name = "integer" if whole else "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The value as an int or float, or a usage error saying what is allowed."""
        if isinstance(value, bool):
            self.fail(f"{value!r} is not a number; {self.allowed()}", param, ctx)
        number: float
        try:
            number = int(str(value).strip(), 10) if self.whole else float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not {self._what()}; {self.allowed()}", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; {self.allowed()}", param, ctx)
        if not self._fits(number):
            self.fail(f"{value!r} is out of range; {self.allowed()}", param, ctx)
        return number

    def _fits(self, number: float) -> bool:
        low_ok = number > self.low if self.above else number >= self.low
        return low_ok and number <= self.high

    def _what(self) -> str:
        return "a whole number" if self.whole else "a number of seconds"

    def allowed(self) -> str:
        """What the option takes, as said in the error."""
        low = _num(self.low)
        bound = f"above {low}" if self.above else f"at least {low}"
        return f"give {self._what()} {bound} and at most {_num(self.high)}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


#: Seconds: above zero and below z3's 32-bit millisecond timeout.
SECONDS = Bounded(0, 1_000_000, above=True)
#: Seconds to wait between retries (zero: no wait).
PAUSE = Bounded(0, 3_600)
PATHS = Bounded(1, 1_000_000, whole=True)
UNROLL = Bounded(0, 10_000, whole=True)
JOBS = Bounded(1, 1_024, whole=True)
RETRIES = Bounded(0, 10, whole=True)
PR_NUMBER = Bounded(1, 999_999_999, whole=True)


def engine_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The engine limits (--timeout, --budget, --max-paths, --unroll), handed to the
    command as one ``options`` value."""
    defaults = DEFAULT_LIMITS

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        options = Options(
            timeout_s=kwargs.pop("timeout"),
            max_paths=kwargs.pop("max_paths"),
            unroll=kwargs.pop("unroll"),
            budget_s=kwargs.pop("budget"),
        )
        return func(options=options, **kwargs)

    declared = [
        click.option(
            "--timeout",
            type=SECONDS,
            default=defaults.timeout_s,
            show_default=True,
            help="Solver seconds per query.",
        ),
        click.option(
            "--max-paths",
            type=PATHS,
            default=defaults.max_paths,
            show_default=True,
            help="Paths per version.",
        ),
        click.option(
            "--unroll",
            type=UNROLL,
            default=defaults.unroll,
            show_default=True,
            help="Loop iterations explored before the inductive rule is tried.",
        ),
        click.option(
            "--budget",
            type=SECONDS,
            default=defaults.budget_s,
            show_default=True,
            help="Seconds per function.",
        ),
    ]
    decorated: Callable[..., Any] = command
    for option in reversed(declared):
        decorated = option(decorated)
    return decorated
