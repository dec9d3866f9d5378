"""Counties that run their own enrollment system: stage reports to the city (办件信息汇聚) and the
city's view of them. A ruxue started with ``RUXUE_UPSTREAM_URL`` is a county system."""
