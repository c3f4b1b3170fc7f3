"""kpi4s worksheet functions (filled in by the core work)."""
