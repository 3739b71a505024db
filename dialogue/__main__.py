from dialogue.cli import main

main()
