"""Response components shared by the models that fit them and the curves that tabulate them:
saturation shapes, geometric carryover, coupling to the baseline, and the response they make."""
