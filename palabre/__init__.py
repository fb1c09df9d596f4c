"""Palabre's service layer: configuration, database, and the glue between channels, engine and storage."""
