"""Background jobs (RQ on Redis, or inline when REDIS_URL is unset). Jobs take ids, never objects."""
