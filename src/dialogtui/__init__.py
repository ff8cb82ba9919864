"""dialogtui: the coordinator's terminal tool for citizen dialogue in Region Halland."""

__version__ = "0.1.0"
