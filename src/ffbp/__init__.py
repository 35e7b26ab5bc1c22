"""ffbp: Forward-Forward and backpropagation, side by side on the same MLP."""

__version__ = "0.1.0"
