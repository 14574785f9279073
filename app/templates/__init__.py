"""Domain types, events and pure rules of the templates area."""
