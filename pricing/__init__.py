"""Monthly cost estimates from list prices: one engine, fed from a plan or from the settings."""
