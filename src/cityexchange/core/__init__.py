"""Core: organisations, people, users and roles, thesaurus, audit log, shared machinery."""
