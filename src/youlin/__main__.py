from youlin.cli import main

main()
