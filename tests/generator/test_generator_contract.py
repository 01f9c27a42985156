"""A clean generated dataset follows the data contract in every file (read independently of the generator)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
from package_reader import Package

from pipelines.calendar import Quarter
from pipelines.contract.codes import codes
from pipelines.contract.schema import CONTRACT_FILES, MANDATORY_FILES, MANIFEST_FIELDS
from pipelines.generator.reference import load_units

THEME_STATUS_BY_LAST_STEP = {
    "umgesetzt_am": {"UMGESETZT"},
    "zielvereinbarung_am": {"VEREINBART"},
    "projektgruppe_am": {"IN_PROJEKTGRUPPE"},
    "lenkungsgruppe_am": {"PRIORISIERT", "VERWORFEN"},
    None: {"IDENTIFIZIERT"},
}


def _rows(packages: list[Package], name: str):
    for package in packages:
        for line, row in enumerate(package.tables.get(name, []), start=2):
            yield package, line, row


def test_every_package_has_the_mandatory_files_and_only_contract_files(packages):
    assert packages
    for package in packages:
        assert set(MANDATORY_FILES) <= set(package.tables), package.relative
        assert set(package.tables) <= set(CONTRACT_FILES), package.relative


def test_columns_are_exactly_the_contract_columns_in_order(packages):
    from package_reader import normalise

    for package in packages:
        for name, header in package.headers.items():
            assert [normalise(h) for h in header] == list(CONTRACT_FILES[name].column_names), (
                package.relative,
                name,
            )


def test_manifest_matches_path_and_lists_every_file_with_its_checksum(packages):
    for package in packages:
        manifest = package.manifest
        assert set(manifest) == set(MANIFEST_FIELDS), package.relative
        assert manifest["ags"] == package.ags
        assert manifest["berichtsquartal"] == str(package.quarter)
        assert manifest["datensatz_version"] == "1.0"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00", manifest["erstellt_am"])
        assert manifest["dateien"] == {
            name: hashlib.sha256(data).hexdigest() for name, data in package.raw_files.items()
        }
        assert "@" in manifest["kontakt"] and manifest["quellsystem"]


def test_required_fields_codes_and_lengths(packages):
    for name, contract in CONTRACT_FILES.items():
        for package, line, row in _rows(packages, name):
            for column in contract.columns:
                value = row[column.name]
                where = (package.relative, name, line, column.name, value)
                if value is None:
                    assert not column.required, where
                    continue
                if column.kind == "code":
                    assert str(value) in codes(column.code_list), where
                elif column.kind == "codes":
                    parts = str(value).split("|")
                    assert parts and set(parts) <= set(codes(column.code_list)), where
                    assert len(parts) == len(set(parts)), where
                if column.max_length:
                    assert len(str(value)) <= column.max_length, where


def test_cases_follow_the_case_rules(packages):
    units = {unit.ags: unit for unit in load_units()}
    for package, line, row in _rows(packages, "faelle"):
        where = (package.relative, line)
        unit = units[package.ags]
        quarter = package.quarter
        assert row["erstkontakt_am"] <= row["aufnahme_am"] <= quarter.end, where
        assert row["aufnahme_am"] >= date(2019, 1, 1), where
        assert (row["abschluss_am"] is None) == (row["abschlussgrund"] is None), where
        if row["abschluss_am"] is not None:
            # open at some time in the quarter, closed no later than its end
            assert max(row["aufnahme_am"], quarter.start) <= row["abschluss_am"] <= quarter.end, where
        assert 1930 <= row["geburtsjahr"] <= row["aufnahme_am"].year, where
        if row["einreise_monat"] is not None:
            assert row["einreise_monat"] <= (row["aufnahme_am"].year, row["aufnahme_am"].month), where
        assert row["gemeinde_ags"] is None or row["gemeinde_ags"] in unit.gemeinde_ags, where
        if row["traeger"] == "KREISANGEHOERIGE_KOMMUNE":
            assert unit.is_kreis, where
        assert len(row["bedarfe"].split("|")) <= 4, where


def test_case_ids_are_unique_per_file_and_cases_stable_across_quarters(packages):
    first_seen: dict[tuple[str, str], dict] = {}
    for package in packages:
        ids = [row["fall_id"] for row in package.tables["faelle"]]
        assert len(ids) == len(set(ids)), package.relative
        for row in package.tables["faelle"]:
            key = (package.ags, row["fall_id"])
            stable = {k: row[k] for k in ("person_id", "aufnahme_am", "erstkontakt_am", "geburtsjahr")}
            assert first_seen.setdefault(key, stable) == stable, key


def test_events_only_for_known_cases_and_within_their_case(packages):
    by_unit: dict[str, list[Package]] = defaultdict(list)
    for package in packages:
        by_unit[package.ags].append(package)
    for unit_packages in by_unit.values():
        for package in unit_packages:
            known = {
                row["fall_id"]: row["aufnahme_am"]
                for other in unit_packages
                if other.quarter <= package.quarter
                for row in other.tables["faelle"]
            }
            keys = set()
            for line, row in enumerate(package.tables["ereignisse"], start=2):
                where = (package.relative, line)
                assert row["fall_id"] in known, where
                assert known[row["fall_id"]] <= row["ereignis_am"] <= package.quarter.end, where
                key = tuple(row[c] for c in CONTRACT_FILES["ereignisse"].natural_key)
                assert key not in keys, where
                keys.add(key)


def test_transition_and_handover_fields(packages):
    transitions = 0
    for package, line, row in _rows(packages, "ereignisse"):
        where = (package.relative, line)
        is_transition = row["ereignis"] == "RECHTSKREISWECHSEL"
        assert (row["von_rechtskreis"] is not None) == is_transition, where
        assert (row["nach_rechtskreis"] is not None) == is_transition, where
        assert (row["leistung_ende_am"] is not None) == is_transition, where
        assert (row["leistung_beginn_am"] is not None) == is_transition, where
        assert (row["stelle"] is not None) == (row["ereignis"] == "UEBERGABE"), where
        if is_transition:
            transitions += 1
            assert row["von_rechtskreis"] != row["nach_rechtskreis"], where
            known_from = max(row["leistung_ende_am"] + timedelta(days=1), row["leistung_beginn_am"])
            assert row["ereignis_am"] == known_from, where
    assert transitions > 50


def test_positions_filled_at_most_as_granted(packages):
    for package in packages:
        ids = [row["stelle_id"] for row in package.tables["personal"]]
        assert len(ids) == len(set(ids)), package.relative
        for line, row in enumerate(package.tables["personal"], start=2):
            where = (package.relative, line)
            assert 0 < row["bewilligt_vzae"] <= 1.0, where
            assert 0 <= row["besetzt_vzae"] <= row["bewilligt_vzae"], where
            assert (row["besetzt_seit"] is not None) == (row["besetzt_vzae"] > 0), where
            if row["besetzt_seit"] is not None:
                assert row["besetzt_seit"] <= package.quarter.end, where
        assert any(row["funktion"] == "CASE_MANAGEMENT" for row in package.tables["personal"])


def test_funds_cover_every_year_and_baustein_and_respect_the_limits(packages):
    for package in packages:
        rows = package.tables["finanzen"]
        keys = [(row["haushaltsjahr"], row["baustein"]) for row in rows]
        assert sorted(keys) == [(y, b) for y in range(2020, package.quarter.year + 1) for b in (1, 2, 3)]
        for row in rows:
            assert 0 <= row["abgerufen_eur"] <= row["bewilligt_eur"], package.relative
            assert 0 <= row["verausgabt_eur"] <= row["abgerufen_eur"] * 1.05, package.relative


def _last_step(row: dict) -> str | None:
    return next(
        (
            s
            for s in ("umgesetzt_am", "zielvereinbarung_am", "projektgruppe_am", "lenkungsgruppe_am")
            if row[s] is not None
        ),
        None,
    )


def test_theme_dates_are_ordered_known_and_match_the_status(generated, packages):
    meetings = {(package.ags, row["sitzung_am"]) for package, _, row in _rows(packages, "lenkungsgruppe")}
    for package, line, row in _rows(packages, "strukturthemen"):
        where = (package.relative, line)
        steps = [
            row[s]
            for s in (
                "identifiziert_am",
                "lenkungsgruppe_am",
                "projektgruppe_am",
                "zielvereinbarung_am",
                "umgesetzt_am",
            )
        ]
        known = [step for step in steps if step is not None]
        assert known == steps[: len(known)], where  # no step without the previous one
        assert known == sorted(known) and known[-1] <= package.quarter.end, where
        assert row["status"] in THEME_STATUS_BY_LAST_STEP[_last_step(row)], where
        assert (row["prioritaet"] is None) == (row["lenkungsgruppe_am"] is None), where
        assert row["faelle_rekonstruiert"] >= 1, where
        decided = row["lenkungsgruppe_am"]
        if decided is not None:
            constituted = date.fromisoformat(
                generated.truth["kommunen"][package.ags]["lenkungsgruppe_konstituiert_am"]
            )
            assert decided >= constituted, where
            # a decision is taken at a meeting, reported in the package of the meeting's quarter
            if any(p.ags == package.ags and p.quarter == Quarter.containing(decided) for p in packages):
                assert (package.ags, decided) in meetings, where
    for package in packages:
        ids = [row["thema_id"] for row in package.tables.get("strukturthemen", [])]
        assert len(ids) == len(set(ids)), package.relative


def test_steering_group_file_appears_with_the_constitution(generated, packages):
    for package in packages:
        constituted = date.fromisoformat(
            generated.truth["kommunen"][package.ags]["lenkungsgruppe_konstituiert_am"]
        )
        assert ("lenkungsgruppe" in package.tables) == (constituted <= package.quarter.end), package.relative
        for row in package.tables.get("lenkungsgruppe", []):
            assert package.quarter.start <= row["sitzung_am"] <= package.quarter.end, package.relative
            assert row["beschluesse"] >= 0
    assert any("lenkungsgruppe" in p.tables and not p.tables["lenkungsgruppe"] for p in packages), (
        "expected header-only steering-group files in quarters without a meeting"
    )


def test_residence_aggregates(packages):
    for package in packages:
        rows = package.tables.get("aufenthalt", [])
        procedures = [row["verfahren"] for row in rows]
        assert len(procedures) == len(set(procedures)), package.relative
        assert ("P104C" in procedures) == (bool(rows) and package.quarter >= Quarter(2023, 1)), (
            package.relative
        )
        for row in rows:
            for column in (
                "antraege_eingang",
                "entscheidungen_positiv",
                "entscheidungen_negativ",
                "anhaengig_quartalsende",
            ):
                assert row[column] >= 0
            decided = row["entscheidungen_positiv"] + row["entscheidungen_negativ"]
            assert (row["bearbeitungsdauer_median_tage"] is None) == (decided == 0), package.relative


@pytest.mark.parametrize("name", sorted(CONTRACT_FILES))
def test_every_contract_file_occurs_with_rows(packages, name):
    assert sum(len(p.tables.get(name, [])) for p in packages) > 0


def test_some_events_are_reported_one_package_late(generated, packages):
    late = 0
    for package in packages:
        previous = package.quarter.previous()
        for row in package.tables["ereignisse"]:
            if row["ereignis_am"] < package.quarter.start:
                assert row["ereignis_am"] >= previous.start, package.relative
                late += 1
    assert late > 0
    recorded = sum(u["anzahl"]["ereignisse_nachgemeldet"] for u in generated.truth["kommunen"].values())
    # corrected quarters appear twice in the landing zone, the ground truth counts each event once
    assert recorded <= late
