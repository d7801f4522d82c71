#!/usr/bin/env python
"""Django's command-line utility for the social-assistance engine."""

import os
import sys
from pathlib import Path


def main():
    root = Path(__file__).resolve().parent
    # The project package and domain apps live in src/; flows and forms at the top level.
    for path in (root / "src", root):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
