"""Typed, frozen description of a system (models) and how it is read from params/ (load)."""
