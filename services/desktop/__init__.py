"""The desktop around the app: its session bus services."""
