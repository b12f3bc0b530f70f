"""Start-up stays light: `tantalio --help` and `tantalio hash` must not pay for the analysis stack.

Each check runs in a fresh interpreter (sys.modules of this test process is already full).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("networkx", "igraph", "faiss", "weasyprint", "numpy", "PIL", "pdqhash", "av", "fastapi", "starlette",
         "jinja2", "dask", "distributed", "phonenumbers", "cryptography", "babel", "pillow_heif", "uvicorn",
         "ijson", "rich.progress", "tantalio.ingest.pipeline", "tantalio.export", "tantalio.network.persons")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import tantalio.cli") == []


def test_hash_of_a_non_image_loads_no_image_or_analysis_library(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00not an image" * 1000)
    assert _loaded_after(f"from tantalio.cli import main\nmain(['hash', {str(blob)!r}])") == []


def test_graph_export_help_names_every_format() -> None:
    """The --format help is written out (importing the exporter would load networkx at start-up)."""
    from tantalio.cli.network import graph_export
    from tantalio.network.link_charts import FORMATS

    text = " ".join(str(getattr(p.default, "help", "")) for p in __import__("inspect").signature(
        graph_export).parameters.values())
    assert all(name in text for name in FORMATS)
