"""The Monte Carlo reference used by the theory tests lives in the package."""

from gnnrg.theory.montecarlo import simulate_accuracy

__all__ = ["simulate_accuracy"]
