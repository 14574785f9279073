"""Domain types, events and pure rules of the builds area."""
