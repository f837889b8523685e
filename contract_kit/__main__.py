from contract_kit.entry import main

main()
