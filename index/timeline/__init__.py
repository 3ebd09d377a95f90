"""Timelines: the dated events the archive reports about a topic, in the order they happened."""
