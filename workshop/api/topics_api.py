"""Placeholder: filled in by the topics work in progress."""
