"""``wmcj calendar``."""


def calendar() -> None:
    """calendar."""
