"""Rules of the columns family."""
