"""Monthly cost estimates from the templates and a dated price table (prices.yaml, with its sources)."""
