"""From libcst syntax to the semantic model of ``schemacheck.schema``."""
