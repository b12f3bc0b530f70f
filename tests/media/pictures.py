"""Benign procedural pictures and the path to the shared PDQ conformance data."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "pdq"


def abstract_picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Gradient plus coloured rectangles and ellipses: nothing is depicted."""
    rng = random.Random(seed)
    width, height = size
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top = np.array([rng.randrange(256) for _ in range(3)], dtype=np.float32)
    bottom = np.array([rng.randrange(256) for _ in range(3)], dtype=np.float32)
    canvas = np.broadcast_to(top * (1 - ys) + bottom * ys, (height, width, 3))
    img = Image.fromarray(canvas.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        box = (x0, y0, x0 + rng.randrange(8, max(9, width // 2)), y0 + rng.randrange(8, max(9, height // 2)))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return img
