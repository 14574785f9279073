"""The workflows area's services, adapters and tables."""
