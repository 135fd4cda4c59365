"""stackc: typed params in, CloudFormation nested stacks out."""
