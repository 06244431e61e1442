from hospipost.cli import main

main()
