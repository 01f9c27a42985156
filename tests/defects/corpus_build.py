"""Generating and building a corpus end to end, in this process or — for the clean comparison run — in another.

The defect run and the clean run are independent builds of the same dataset; run one after the other they
would double the test's time on two cores, so the clean one runs as `python corpus_build.py <root>` in its own
process (its own data, warehouse and Dagster directories) while the defect run builds in the test process.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from defect_corpus import FIRST, LAST, SCALE, SEED, STICHTAG

from pipelines.config import Settings, apply_offline_environment, get_settings

# Both runs re-key pseudonyms with the same secret, so their raw tables can be compared row by row.
PSEUDONYM_SECRET = "fehlerkorpus-test-schluessel-0123456789"
RESULT_FILENAME = "build_ergebnis.json"


def environment(root: Path) -> dict[str, str]:
    settings = settings_for(root)
    return {
        "KIM_DATA_DIR": str(settings.data_dir),
        "KIM_WAREHOUSE_DIR": str(settings.warehouse_dir),
        "DAGSTER_HOME": str(settings.dagster_home),
        "KIM_STICHTAG": STICHTAG.isoformat(),
        "KIM_BERICHTSBEGINN": str(FIRST),
        "KIM_PSEUDONYM_SECRET": PSEUDONYM_SECRET,
    }


def generate_and_build(*, defects: bool) -> dict:
    """Generate the corpus into the configured landing zone and run `kim build`'s `build_all` on it."""
    import dagster as dg

    from pipelines.build import build_all
    from pipelines.generator import generate

    settings = get_settings()
    started = time.perf_counter()
    generated = generate(
        settings.landing_dir,
        scale=SCALE,
        seed=SEED,
        first=FIRST,
        last=LAST,
        stichtag=STICHTAG,
        defects=defects,
    )
    generation_seconds = time.perf_counter() - started
    summary = build_all(settings, instance=dg.DagsterInstance.ephemeral(), progress=lambda _: None)
    return {
        "ok": summary.ok,
        "zusammenfassung": summary.format_german(),
        "fehler": summary.warehouse_errors,
        "erzeugung_s": generation_seconds,
        "build_s": summary.seconds,
        "pakete": generated.packages + generated.defect_packages,
    }


def settings_for(root: Path) -> Settings:
    return Settings.under(root, stichtag=STICHTAG)


def read_result(root: Path) -> dict:
    return json.loads((root / RESULT_FILENAME).read_text(encoding="utf-8"))


if __name__ == "__main__":
    target = Path(sys.argv[1])
    os.environ.update(environment(target))
    apply_offline_environment()
    result = generate_and_build(defects=False)
    (target / RESULT_FILENAME).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    sys.exit(0 if result["ok"] else 1)
