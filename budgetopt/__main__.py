"""`python -m budgetopt` is the `budgetopt` command."""
from budgetopt.optimizer.cli.main import main

if __name__ == "__main__":
    main()
