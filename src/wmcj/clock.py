"""The only place that reads the clock, so every date is injectable."""

from __future__ import annotations

import os
from datetime import date


def today() -> date:
    """Today's date, or ``WMCJ_TODAY`` (YYYY-MM-DD) when set."""
    forced = os.environ.get("WMCJ_TODAY", "").strip()
    if forced:
        from wmcj.errors import InputError
        from wmcj.i18n import _

        try:
            return date.fromisoformat(forced)
        except ValueError:
            raise InputError(
                _("WMCJ_TODAY='{value}' is not a date; use YYYY-MM-DD").format(value=forced)
            ) from None
    return date.today()
