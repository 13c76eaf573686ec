"""Placeholder: filled in by the feedback work in progress."""
