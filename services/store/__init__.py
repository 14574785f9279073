"""Store readiness on disk: launcher icons (Pillow), the store listing loader, the release check's facts."""
