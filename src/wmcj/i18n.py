"""The translation layer: every message and heading passes through ``_``.

Messages are written in English (the message id); the Chinese catalog lives in
``wmcj.catalog_zh``. Plan text never passes through here: it is shown as written.
"""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")
_lang: str | None = None


def detect_language() -> str:
    """``WMCJ_LANG``, else ``lang`` in the settings file, else the locale
    (``LC_ALL``/``LC_MESSAGES``/``LANG``), else English.
    """
    chosen = os.environ.get("WMCJ_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    from wmcj.config import file_language

    configured = file_language()
    if configured is not None:
        return configured
    return locale_language()


def locale_language() -> str:
    """The language of the locale (``LC_ALL``/``LC_MESSAGES``/``LANG``), else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:  # POSIX: the first one set decides
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(lang: str | None) -> None:
    """Fix the language for this process (``None``: detect it again)."""
    global _lang
    _lang = lang


def language() -> str:
    global _lang
    if _lang is None:
        _lang = detect_language()
    return _lang


def _(message: str) -> str:
    """The message in the current language."""
    if language() == "zh":
        from wmcj.catalog_zh import MESSAGES

        return MESSAGES.get(message, message)
    return message
