"""Rules of the migrations family (Alembic)."""
