"""User interfaces: the Qt window and panels (ui/...), and the command line (ui/cli)."""
