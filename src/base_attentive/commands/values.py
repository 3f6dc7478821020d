"""Parsers of setting values: each takes a command-line string or a config
file value (TOML / JSON) and returns the normalised value, or raises
`ValueError("must be ...")`, which `settings.parse_value` completes with the
option name and the value received."""

from __future__ import annotations

import math
from pathlib import Path

from base_attentive.data.calendar import CALENDAR_FEATURES


def text(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def names(value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(
        isinstance(item, str) for item in items
    ):
        raise ValueError("must be comma-separated names (or a list of strings)")
    names = [item.strip() for item in items if item.strip()]
    if len(set(names)) != len(names):
        raise ValueError("must not repeat a name")
    return names


def calendar(value):
    chosen = names(value)
    if chosen == ["none"]:
        return []
    if chosen == ["auto"]:
        return "auto"
    unknown = [name for name in chosen if name not in CALENDAR_FEATURES]
    if unknown:
        raise ValueError(
            f"must be 'auto', 'none' or names among {list(CALENDAR_FEATURES)} "
            f"(unknown: {unknown})"
        )
    return chosen


def integer(minimum):
    def parse(value):
        try:
            number = int(value) if isinstance(value, str) else value
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
            raise ValueError(f"must be an integer >= {minimum}")
        return number

    return parse


def integer_or_none(minimum):
    """An integer >= `minimum`, or 'none' (None): to turn off a setting a
    preset turns on."""
    return _or_none(integer(minimum), f"an integer >= {minimum}")


def number_or_none(low, high, inclusive_low=False):
    """A number as `number` parses it, or 'none' (None)."""
    interval = f"{'[' if inclusive_low else '('}{low:g}, {high:g})"
    return _or_none(number(low, high, inclusive_low), f"a number in {interval}")


def _or_none(parse_value, expected):
    def parse(value):
        if value is None or (isinstance(value, str) and value.strip() == "none"):
            return None
        try:
            return parse_value(value)
        except ValueError:
            raise ValueError(f"must be {expected}, or 'none'") from None

    return parse


def integers(value):
    """Comma-separated positive integers (or a list); 'none' for none."""
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, list | tuple) and [str(i).strip() for i in items] == ["none"]:
        return []
    parse = integer(1)
    try:
        numbers = [
            parse(item.strip() if isinstance(item, str) else item) for item in items
        ]
    except (TypeError, ValueError):
        raise ValueError(
            "must be comma-separated positive integers, or 'none'"
        ) from None
    if len(set(numbers)) != len(numbers):
        raise ValueError("must not repeat a number")
    return numbers


def number(low, high, inclusive_low=False):
    interval = f"{'[' if inclusive_low else '('}{low:g}, {high:g})"

    def parse(value):
        try:
            number = math.nan if isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        above_low = number >= low if inclusive_low else number > low
        if not (above_low and number < high):  # also rejects NaN
            raise ValueError(f"must be a number in {interval}")
        return number

    return parse


def quantile_levels(value):
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("must be comma-separated levels such as 0.1,0.5,0.9")
    levels = [number(0.0, 1.0)(item) for item in items]
    if levels != sorted(set(levels)):
        raise ValueError("must be strictly increasing levels in (0, 1)")
    if 0.5 not in levels:
        raise ValueError(
            "must include 0.5 (the median is the point forecast scored by MAE and MASE)"
        )
    return levels


def boundary(value):
    """A split boundary: fraction in (0, 1), number of last steps, or date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
    else:
        raise ValueError("must be a fraction, a number of steps or a date")
    if text.isdigit():
        return integer(1)(text)
    try:
        fraction = float(text)
    except ValueError:
        return date(text)
    return number(0.0, 1.0)(fraction)


def date(value):
    import pandas as pd

    try:
        return str(pd.Timestamp(text(str(value))))
    except ValueError as error:
        raise ValueError("must be a date such as 2015-01-01") from error


def choice(choices):
    def parse(value):
        if value not in choices:
            raise ValueError(f"must be one of {list(choices)}")
        return value

    return parse


def path(value):
    return str(Path(text(value)).expanduser())


def boolean(value):
    """`yes` / `no` (also true / false, on / off, 1 / 0, or a TOML bool)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0"):
        return False
    raise ValueError("must be yes or no")
