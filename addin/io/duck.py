"""The one way kpi4s opens DuckDB (the DMS import's scratch database, the dealer group's archive).

Extensions are never fetched or loaded behind the user's back: a query naming a file type or a
function DuckDB keeps in an extension fails instead of downloading code. The archive loads the one
extension it needs (postgres) by name.
"""
from __future__ import annotations


def connect(database: str = ":memory:", *, memory_limit: str | None = None):
    """A DuckDB connection (``database``: a file or in memory) with automatic extension
    installing and loading off; ``memory_limit`` e.g. '512MB' (DuckDB's default: 80 % of RAM)."""
    import duckdb
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    return duckdb.connect(database, config=config)
