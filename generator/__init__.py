"""Market-briefing digest: a static-site generator for market news."""

__version__ = "0.1.0"
