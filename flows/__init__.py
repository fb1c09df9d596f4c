"""Consultation flows: YAML files, their validation, and the pure engine that runs a conversation."""
