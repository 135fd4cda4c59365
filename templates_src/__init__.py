"""stackc: typed params in, CloudFormation nested stacks out."""

__version__ = "0.1.0"
