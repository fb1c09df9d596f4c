"""The read-only JSON API for other systems, with bearer tokens: /api/v1."""
