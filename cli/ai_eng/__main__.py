from ai_eng.cli import main

main()
