"""The trends area's services, adapters and tables."""
