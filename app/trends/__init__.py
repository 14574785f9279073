"""Domain types, events and pure rules of the trends area."""
