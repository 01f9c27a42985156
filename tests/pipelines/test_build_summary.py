"""What `kim build` prepares and prints: the list of KPI models for dbt, and the summary, whose last line names
the phases (`phases_of` reads them back)."""

from __future__ import annotations

import re
import shutil

from pipelines.build import (
    KPI_MODELS_DIR,
    KPI_MODELS_MACRO,
    PHASE_DBT,
    PHASE_LOADING,
    PHASE_PUBLISH,
    BuildSummary,
    kpi_models_macro,
    phases_of,
    write_kpi_models_macro,
)
from pipelines.config import DBT_PROJECT_DIR


def test_the_duration_line_names_each_phase_in_german_notation_and_reads_back():
    summary = BuildSummary(
        warehouse_ok=True, seconds=40.2, phases={PHASE_LOADING: 4.04, PHASE_DBT: 28.71, PHASE_PUBLISH: 1.3}
    )
    text = summary.format_german()
    assert text.splitlines()[-1] == "Dauer: 40 s (Laden 4,0 s, dbt 28,7 s, Veröffentlichen 1,3 s)"
    assert phases_of(text) == {PHASE_LOADING: 4.0, PHASE_DBT: 28.7, PHASE_PUBLISH: 1.3}


def test_a_build_without_measured_phases_prints_its_duration_only():
    text = BuildSummary(seconds=3.4).format_german()
    assert text.splitlines()[-1] == "Dauer: 3 s"
    assert phases_of(text) == {}


def test_the_kpi_model_list_is_written_from_the_kpi_folder(tmp_path):
    """int_kpi_werte_vereinigt unions the models the macro names; the committed macro is the folder's, and a
    model added to the folder is named once the macro is rewritten (as every `kim build` does before parsing)."""
    assert (DBT_PROJECT_DIR / KPI_MODELS_MACRO).read_text(encoding="utf-8") == kpi_models_macro()
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR / KPI_MODELS_DIR, project / KPI_MODELS_DIR)
    (project / "macros").mkdir()
    assert write_kpi_models_macro(project)
    assert not write_kpi_models_macro(project)
    (project / KPI_MODELS_DIR / "int_neue_kennzahl_berechnet.sql").write_text("select 1\n", encoding="utf-8")
    assert write_kpi_models_macro(project)
    named = re.findall(r"'(int_\w+)',", (project / KPI_MODELS_MACRO).read_text(encoding="utf-8"))
    assert "int_neue_kennzahl_berechnet" in named
    assert named == sorted(path.stem for path in (project / KPI_MODELS_DIR).glob("*.sql"))
