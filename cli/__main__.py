"""`python -m cli` == `rathaus`."""

from cli.app import main

main()
