"""hospipost: plan, check and publish a hospital's social-media posts."""

__version__ = "0.1.0"
