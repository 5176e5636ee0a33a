"""`plans validate` says exactly what it said before the loader was split (issue 33).

tests/plans/validate-messages.txt holds the lines the loader printed at 30e94e1^, before its
split into loader, problems and checks, for every malformed case of test_loader.py and the
CLI's broken fixture; a change to any message shows up here as a diff to read and accept.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import Settings

from .malformed import CASES, malformed_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPECTED = HERE / "validate-messages.txt"
BROKEN = ROOT / "tests" / "fixtures" / "cli" / "broken-plan.toml"
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def test_validate_prints_the_messages_it_printed_before_the_split(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for case_id, replacements, path, _words in CASES:
        text = malformed_text(replacements, path)
        (cases / f"{case_id}.toml").write_text(text, encoding="utf-8")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / BROKEN.name).write_bytes(BROKEN.read_bytes())
    files = sorted(p.name for p in cases.iterdir())
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--lang",
            "en",
            "plans",
            "validate",
            *(f"cases/{name}" for name in files),
            f"cli/{BROKEN.name}",
        ],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # every file is refused
    said = [line.removeprefix("cases/") for line in result.stderr.splitlines()]
    assert said == EXPECTED.read_text(encoding="utf-8").splitlines()
