from wmcj.migrations import main

main()
