"""Name conventions shared by the naming rules: snake_case and plural table names."""

from __future__ import annotations

import re

SNAKE_CASE = re.compile(r"^[a-z_][a-z0-9_]*$")

# Words whose plural does not end in "s", and nouns with no plural worth asking for.
_PLURALS = frozenset(
    {
        "people",
        "children",
        "men",
        "women",
        "data",
        "metadata",
        "media",
        "criteria",
        "phenomena",
        "indices",
        "matrices",
        "vertices",
        "geese",
        "mice",
        "feet",
        "teeth",
        "news",
        "series",
        "species",
        "staff",
        "equipment",
        "information",
        "info",
        "feedback",
        "sheep",
        "fish",
        "deer",
        "aircraft",
        "software",
        "hardware",
        "firmware",
    }
)


def last_word(name: str) -> str:
    return name.rsplit("_", 1)[-1].rsplit(".", 1)[-1]


def looks_plural(name: str) -> bool:
    word = last_word(name).lower()
    if word in _PLURALS:
        return True
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))
