"""Write docs/rules.md and docs/rules/<CODE>.md from the rules' docstrings."""

from __future__ import annotations

from pathlib import Path

from schemacheck.ruledocs import pages

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    for relative, text in pages().items():
        path = DOCS / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(DOCS.parent))
