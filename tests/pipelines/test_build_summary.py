"""The summary `kim build` prints: its last line names the phases, and `phases_of` reads them back."""

from __future__ import annotations

from pipelines.build import PHASE_DBT, PHASE_LOADING, PHASE_PUBLISH, BuildSummary, phases_of


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
