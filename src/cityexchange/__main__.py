"""``python -m cityexchange`` behaves like the ``cityexchange`` command."""

from cityexchange.cli import main

main()
