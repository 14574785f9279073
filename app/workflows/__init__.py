"""Domain types, events and pure rules of the workflows area."""
