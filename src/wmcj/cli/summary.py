"""``wmcj summary``."""


def summary() -> None:
    """summary."""
