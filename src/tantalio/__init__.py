"""Tantalio: forensic analysis of messaging-group abuse-material networks."""

__version__ = "0.1.0"
