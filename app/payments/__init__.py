"""Domain types, events and pure rules of the payments area."""
