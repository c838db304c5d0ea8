from glutekit.cli import main

main()
