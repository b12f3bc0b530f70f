"""Synthetic, benign demo case: invented persons, abstract pictures, real evidence formats."""

from .config import DemoConfig
from .generator import BANNER, DemoManifest, generate

__all__ = ["BANNER", "DemoConfig", "DemoManifest", "generate"]
