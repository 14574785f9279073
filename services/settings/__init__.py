"""Settings (non-secret) and credentials (in the keyring)."""
