"""Events module of cityexchange."""
