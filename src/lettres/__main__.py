from lettres.cli import main

main()
