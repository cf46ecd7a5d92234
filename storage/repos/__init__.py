"""Repositories: verbs with keyword-only arguments that flush and never commit."""
