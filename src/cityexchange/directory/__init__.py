"""Directory module of cityexchange."""
