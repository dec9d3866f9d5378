"""ruxue (入学): public-school enrollment as one online service."""
