"""Parts of the Workflows panel: table models, the step diagram, the run dialog."""
