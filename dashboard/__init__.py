"""The officials' pages, server-rendered."""
