"""wmcj (文明创建): track a unit's yearly civilized-unit creation work plan."""

__version__ = "0.1.0"
