"""`python -m templates_src ...` runs the stackc command line."""

from templates_src.cli import main

if __name__ == "__main__":
    main()
