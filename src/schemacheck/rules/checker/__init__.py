"""Rules of the checker family."""
