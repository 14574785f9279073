"""Home's snapshot and first-run guide (pure)."""
