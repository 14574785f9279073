"""The templates area's services, adapters and tables."""
