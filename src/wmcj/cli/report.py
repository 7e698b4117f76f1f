"""``wmcj report``."""


def report() -> None:
    """report."""
