"""Library module of cityexchange."""
