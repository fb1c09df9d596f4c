"""Pure statistics for exclusion-risk profiles: no database, no I/O, no clock."""
