"""Placeholder: filled in by the surveys work in progress."""
