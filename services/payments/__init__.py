"""The payments area's services, adapters and tables."""
