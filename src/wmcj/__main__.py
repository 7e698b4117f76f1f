"""Allow ``python -m wmcj``."""

from wmcj.cli import main

main()
