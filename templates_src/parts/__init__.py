"""Reusable fragments that builders compose (policies, log groups, container definitions...)."""
