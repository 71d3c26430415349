from schemacheck.cli import main

main()
