from schemacheck.cli import entry

entry()
