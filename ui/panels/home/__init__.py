"""Home's widgets: the sparkline, the first-run guide and the lists of things to look at."""
