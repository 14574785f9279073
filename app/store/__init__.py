"""Store readiness: Google Play's upload rules, the store listing, the release check (pure, no I/O)."""
