"""The headless command line; drives the same services as the GUI."""
