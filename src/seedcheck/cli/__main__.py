"""`python -m seedcheck.cli`."""

from . import main

main()
