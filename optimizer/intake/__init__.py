"""What a plan is made from: the scenario's inputs, loaded and checked, and the curve set fitted
from them."""
