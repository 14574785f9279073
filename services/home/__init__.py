"""Home: the overview of every area and the first-run guide."""
