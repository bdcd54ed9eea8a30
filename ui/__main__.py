"""`python -m ui` == `rathaus`."""

from ui.entry import main

main()
