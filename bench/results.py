"""The one shape of every benchmark's JSON results: which benchmark, whether its goals were met,
and its results (one object per run), so that runs can be compared across benchmarks and time."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any


def write_results(path: Path, bench: str, met: bool, results: list[Any]) -> None:
    """``results``: dataclass instances, written field by field."""
    body = {"bench": bench, "met": met, "results": [asdict(r) for r in results]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
