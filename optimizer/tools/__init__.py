"""Tools built on plans: compare, frontier, shocks, rebalance, reproduce."""
