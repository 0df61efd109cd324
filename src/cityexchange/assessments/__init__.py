"""Assessments module of cityexchange."""
