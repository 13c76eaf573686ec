"""Placeholder: filled in by the ideas work in progress."""
