"""Responses as files to take away: CSV, XLSX and FLOIP packages, by pseudonym only."""
