"""SQLite persistence through SQLAlchemy 2.0, with Alembic migrations."""
