"""Rewrite the bundled demo history (history.csv beside this script) from the demo world.

    python scenarios/data/regenerate.py

Not part of the installed package: the data ships as a file, this is how it was made.
"""
from pathlib import Path

from budgetopt.datasets import demo_world, write_history

if __name__ == "__main__":
    target = Path(__file__).resolve().with_name("history.csv")
    write_history(demo_world(), target)
    print(f"wrote {target}")
