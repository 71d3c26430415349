"""Rules of the tables family."""
