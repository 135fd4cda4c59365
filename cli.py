#!/usr/bin/env python3
"""Run stackc from a checkout: `python cli.py COMMAND ...` (the commands live in templates_src/cli/)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from templates_src.cli import cli, main

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
