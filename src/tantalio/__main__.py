from tantalio.cli import main

main()
