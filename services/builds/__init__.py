"""The builds area's services, adapters and tables."""
