"""Rules of the foreign keys family."""
