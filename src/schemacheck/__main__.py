from schemacheck.console import entry

entry()
