"""The real `dbt build` (seeds, models, data tests, unit tests) on a small hand-written raw layer.

Four units deliver parts of 2025-Q1 and 2025-Q2 with a correction, a rejection, a late package, a stale row of
a replaced package, a re-reported event, a vacant case-management position, quarantined rows and a notice.
Every expected value below was worked out by hand from these rows (the working is in the comments) and is
checked against `marts.*`.
"""

from __future__ import annotations

import csv
import math

import duckdb
import pytest

from pipelines.config import SEEDS_DIR
from pipelines.contract.schema import CONTRACT_FILES

STICHTAG = "2025-09-01"  # both deadlines (2025-05-15, 2025-08-14) have passed; 2025-Q3 is not complete
VARIABLES = {"berichtsbeginn": "2025-Q1"}

# Packages: id → (unit, quarter). D2 corrects D2_REPLACED; K2_REJECTED was rejected; 05334 delivers nothing.
D1, D2_REPLACED, D2 = "paket-05111-q1", "paket-05111-q2-alt", "paket-05111-q2-korrektur"
K1, K2_REJECTED, A1 = "paket-05154-q1", "paket-05154-q2-abgelehnt", "paket-05334002-q1"
PACKAGES = {
    D1: ("05111", "2025-Q1"),
    D2_REPLACED: ("05111", "2025-Q2"),
    D2: ("05111", "2025-Q2"),
    K1: ("05154", "2025-Q1"),
    K2_REJECTED: ("05154", "2025-Q2"),
    A1: ("05334002", "2025-Q1"),
}

Z95 = 1.959963984540054
EINWOHNER = {"05111": 618685, "05154": 322018, "05334002": 262670}


def _package(paket_id, arrived, status, loaded):
    ags, quartal = PACKAGES[paket_id]
    return {
        "paket_id": paket_id,
        "ags": ags,
        "berichtsquartal": quartal,
        "erstellt_am": f"{arrived} 09:00:00+02",
        "eingegangen_am": f"{arrived} 10:00:00+02",
        "verarbeitet_am": f"{arrived} 10:05:00+02",
        "paketform": "ORDNER_CSV",
        "quellsystem": "Testsystem 1.0",
        "datensatz_version": "1.0",
        "archiv_pfad": f"archive/{paket_id}.zip",
        "status": status,
        "geladen": loaded,
    }


def _rows(paket_id, *rows):
    """Contract rows of one package with their lineage columns; line numbers as in a file with a header."""
    ags, quartal = PACKAGES[paket_id]
    return [
        {"ags": ags, "berichtsquartal": quartal, "paket_id": paket_id, "zeile": line, **row}
        for line, row in enumerate(rows, start=2)
    ]


def _file(paket_id, delivered, loaded, quarantined, datei="faelle.csv"):
    return {
        "paket_id": paket_id,
        "datei": datei,
        "zeichenkodierung": "utf-8",
        "trennzeichen": ";",
        "zeilen_geliefert": delivered,
        "zeilen_geladen": loaded,
        "zeilen_quarantaene": quarantined,
    }


def _finding(paket_id, datei, zeile, spalte, regel, ergebnis, meldung, rohwerte=None):
    ags, quartal = PACKAGES[paket_id]
    return {
        "paket_id": paket_id,
        "ags": ags,
        "berichtsquartal": quartal,
        "datei": datei,
        "zeile": zeile,
        "spalte": spalte,
        "regel": regel,
        "ergebnis": ergebnis,
        "meldung": meldung,
        "rohwerte": rohwerte,
    }


def _case(fall_id, aufnahme, abschluss=None, grund=None, gemeinde=None, einreise=None):
    return {
        "fall_id": fall_id,
        "person_id": f"person-{fall_id}",
        "traeger": "KOMMUNE",
        "gemeinde_ags": gemeinde,
        "einreise_monat": einreise,
        "erstkontakt_am": aufnahme,
        "aufnahme_am": aufnahme,
        "abschluss_am": abschluss,
        "abschlussgrund": grund,
        "geburtsjahr": 1990,
        "geschlecht": "W",
        "staatsangehoerigkeit": "SYR",
        "aufenthaltsstatus": "AE_HUMANITAER",
        "rechtskreis": "SGB2",
        "bedarfe": "SPRACHE|ARBEIT",
    }


def _transition(fall_id, am, von_nach, ende, beginn):
    von, nach = von_nach.split(">")
    return {
        "fall_id": fall_id,
        "ereignis_am": am,
        "ereignis": "RECHTSKREISWECHSEL",
        "von_rechtskreis": von,
        "nach_rechtskreis": nach,
        "leistung_ende_am": ende,
        "leistung_beginn_am": beginn,
    }


def _handover(fall_id, am, stelle):
    return {"fall_id": fall_id, "ereignis_am": am, "ereignis": "UEBERGABE", "stelle": stelle}


def _position(stelle_id, baustein, funktion, bewilligt, besetzt, seit=None):
    return {
        "stelle_id": stelle_id,
        "baustein": baustein,
        "funktion": funktion,
        "traeger": "KOMMUNE",
        "bewilligt_vzae": bewilligt,
        "besetzt_vzae": besetzt,
        "besetzt_seit": seit,
    }


def _funds(jahr, baustein, bewilligt, verausgabt):
    return {
        "haushaltsjahr": jahr,
        "baustein": baustein,
        "bewilligt_eur": bewilligt,
        "abgerufen_eur": verausgabt,
        "verausgabt_eur": verausgabt,
    }


def _theme(lenkungsgruppe_am, umgesetzt_am, status):
    return {
        "thema_id": "T1",
        "titel": "Lücke beim Übergang vom AsylbLG ins SGB II",
        "handlungsfeld": "FINANZEN",
        "quelle": "KIM_CASE_MANAGEMENT",
        "faelle_rekonstruiert": 4,
        "identifiziert_am": "2024-10-01",
        "lenkungsgruppe_am": lenkungsgruppe_am,
        "prioritaet": "HOCH",
        "projektgruppe_am": "2025-03-01" if umgesetzt_am else None,
        "zielvereinbarung_am": "2025-04-01" if umgesetzt_am else None,
        "umgesetzt_am": umgesetzt_am,
        "status": status,
    }


RAW_ROWS: dict[str, list[dict]] = {
    "lieferungen": [
        _package(D1, "2025-04-20", "ANGENOMMEN", True),
        _package(D2_REPLACED, "2025-07-10", "ANGENOMMEN", False),
        _package(D2, "2025-07-30", "ANGENOMMEN_MIT_HINWEISEN", True),
        _package(K1, "2025-05-20", "ANGENOMMEN", True),
        _package(K2_REJECTED, "2025-08-01", "ABGELEHNT", False),
        _package(A1, "2025-05-02", "ANGENOMMEN", True),
    ],
    # Rows per file: delivered = loaded + quarantined for accepted packages; a rejected package loads nothing.
    "lieferungen_dateien": [
        _file(D1, 4, 4, 0),
        _file(D1, 3, 3, 0, "ereignisse.csv"),
        _file(D1, 4, 4, 0, "personal.csv"),
        _file(D2_REPLACED, 1, 1, 0),
        _file(D2, 6, 5, 1),
        _file(D2, 4, 4, 0, "ereignisse.csv"),
        _file(D2, 5, 4, 1, "personal.csv"),
        _file(K1, 3, 3, 0),
        _file(K1, 3, 3, 0, "ereignisse.csv"),
        _file(K1, 2, 2, 0, "personal.csv"),
        _file(K2_REJECTED, 9, 0, 0),
        _file(K2_REJECTED, 2, 0, 0, "ereignisse.csv"),
        _file(A1, 1, 1, 0),
        _file(A1, 1, 1, 0, "personal.csv"),
    ],
    "befunde": [
        _finding(
            D2,
            "faelle.csv",
            7,
            "geburtsjahr",
            "WERTEBEREICH",
            "ZEILE_QUARANTAENE",
            "faelle.csv, Zeile 7, Spalte geburtsjahr: 1850 liegt vor 1930.",
            '{"fall_id": "D-X", "geburtsjahr": 1850}',
        ),
        _finding(
            D2,
            "personal.csv",
            3,
            "besetzt_vzae",
            "BESETZT_UEBER_BEWILLIGT",
            "ZEILE_QUARANTAENE",
            "personal.csv, Zeile 3: besetzt_vzae 1,2 ist größer als bewilligt_vzae 1,0.",
            '{"stelle_id": "S9", "bewilligt_vzae": 1.0, "besetzt_vzae": 1.2}',
        ),
        _finding(
            D2,
            "personal.csv",
            3,
            "bewilligt_vzae",
            "WERTEBEREICH",
            "ZEILE_QUARANTAENE",
            "personal.csv, Zeile 3, Spalte besetzt_vzae: 1,2 liegt über 1.",
            '{"stelle_id": "S9", "bewilligt_vzae": 1.0, "besetzt_vzae": 1.2}',
        ),
        _finding(
            D2,
            "ereignisse.csv",
            None,
            "bemerkung",
            "SPALTE_UNBEKANNT",
            "HINWEIS",
            "ereignisse.csv, Spalte „bemerkung“: Die Spalte gehört nicht zum Datenvertrag.",
        ),
        # A rejected package: its row findings are rejections too, and it keeps no raw values.
        _finding(
            K2_REJECTED,
            "faelle.csv",
            3,
            "aufnahme_am",
            "TYP_DATUM",
            "PAKET_ABGELEHNT",
            "faelle.csv, Zeile 3, Spalte aufnahme_am: „31.02.2025“ ist kein gültiges Datum.",
        ),
        _finding(
            K2_REJECTED,
            "personal.csv",
            None,
            None,
            "PFLICHTDATEI_FEHLT",
            "PAKET_ABGELEHNT",
            "Die Pflichtdatei personal.csv fehlt im Paket.",
        ),
    ],
    "faelle": [
        *_rows(
            D1,
            # Optional fields (K26): Gemeinde 2 of 4, arrival month 2 of 4.
            _case("D-A", "2024-11-05", gemeinde="05111000", einreise="2023-05-01"),
            _case("D-B", "2025-01-10", gemeinde="05111000"),
            _case("D-C", "2025-02-01", "2025-03-15", "ZIEL_ERREICHT"),
            _case("D-D", "2025-03-01", einreise="2024-02-01"),
        ),
        *_rows(
            D2,
            _case("D-A", "2024-11-05"),
            _case("D-B", "2025-01-10", "2025-06-30", "UEBERGABE_REGELSYSTEM"),
            _case("D-D", "2025-03-01", "2025-05-10", "KONTAKTABBRUCH"),
            _case("D-E", "2025-04-15"),
            _case("D-F", "2025-05-01", "2025-06-01", "WEGZUG"),
        ),
        # A stale row of the replaced package: staging must ignore it (it would be a new case in Q2).
        *_rows(D2_REPLACED, _case("D-G", "2025-04-02")),
        *_rows(
            K1,
            _case("K-A", "2025-01-20"),
            _case("K-B", "2025-02-20", "2025-03-20", "ZIEL_ERREICHT"),
            _case("K-C", "2024-12-01", "2025-01-31", "KONTAKTABBRUCH"),
        ),
        *_rows(A1, _case("A-A", "2025-03-31")),
    ],
    # Gaps in days (beginn - ende - 1) are noted on each transition.
    "ereignisse": [
        *_rows(
            D1,
            _transition("D-A", "2025-02-10", "ASYLBLG>SGB2", "2025-02-28", "2025-03-01"),  # 0
            _transition("D-B", "2025-03-05", "ASYLBLG>SGB2", "2025-03-31", "2025-04-15"),  # 14
            _handover("D-A", "2025-03-10", "JOBCENTER"),
        ),
        *_rows(
            D2,
            # D-B's Q1 transition reported again: one event, dated in Q1.
            _transition("D-B", "2025-03-05", "ASYLBLG>SGB2", "2025-03-31", "2025-04-15"),
            _transition("D-E", "2025-05-05", "SGB2>SGB3", "2025-05-31", "2025-05-20"),  # -12 (overlap)
            _transition("D-D", "2025-04-20", "ASYLBLG>SGB12", "2025-04-30", "2025-05-10"),  # 9
            _transition("D-A", "2025-06-01", "SGB2>SGB3", "2025-06-30", None),  # no start date: left out
        ),
        *_rows(
            K1,
            _transition("K-A", "2025-01-25", "ASYLBLG>SGB2", "2025-01-31", "2025-02-01"),  # 0
            _transition("K-B", "2025-03-01", "ASYLBLG>SGB2", "2025-02-28", "2025-03-08"),  # 7
            _transition("K-C", "2025-01-15", "SGB2>SGB3", "2025-01-31", "2025-02-10"),  # 9
        ),
    ],
    "personal": [
        *_rows(
            D1,
            _position("S1", 1, "KOORDINATION", 1.0, 1.0, "2022-01-01"),
            _position("S2", 2, "CASE_MANAGEMENT", 1.0, 0.5, "2022-06-01"),
            _position("S3", 2, "CASE_MANAGEMENT", 1.0, 0.0),
            _position("S4", 3, "ABH_SACHBEARBEITUNG", 0.5, 0.5, "2023-03-01"),
        ),
        *_rows(
            D2,
            _position("S1", 1, "KOORDINATION", 1.0, 1.0, "2022-01-01"),
            _position("S2", 2, "CASE_MANAGEMENT", 1.0, 1.0, "2022-06-01"),
            _position("S3", 2, "CASE_MANAGEMENT", 1.0, 1.0, "2025-04-01"),
            _position("S4", 3, "ABH_SACHBEARBEITUNG", 0.5, 0.5, "2023-03-01"),
        ),
        *_rows(
            K1,
            _position("T1", 2, "CASE_MANAGEMENT", 1.0, 0.0),
            _position("T2", 1, "KOORDINATION", 1.0, 1.0, "2024-02-01"),
        ),
        *_rows(A1, _position("U1", 2, "CASE_MANAGEMENT", 1.0, 0.8, "2024-09-01")),
    ],
    "finanzen": [
        *_rows(
            D1,
            _funds(2025, 1, 100000, 20000),
            _funds(2025, 2, 300000, 60000),
            _funds(2025, 3, 100000, 10000),
            _funds(2024, 2, 280000, 270000),  # last year's funds: not part of 2025's outflow
        ),
        *_rows(
            D2,
            _funds(2025, 1, 100000, 45000),
            _funds(2025, 2, 300000, 150000),
            _funds(2025, 3, 100000, 30000),
        ),
        *_rows(A1, _funds(2025, 2, 200000, 40000)),
    ],
    "lenkungsgruppe": _rows(
        D1, {"sitzung_am": "2025-02-15", "institutionen": "KOMMUNE|JOBCENTER", "beschluesse": 2}
    ),
    "strukturthemen": [
        *_rows(D1, _theme("2025-02-15", None, "PRIORISIERT")),
        *_rows(D2, _theme("2025-02-15", "2025-06-20", "UMGESETZT")),
    ],
    "aufenthalt": _rows(
        D1,
        {
            "verfahren": "P25B",
            "antraege_eingang": 12,
            "entscheidungen_positiv": 5,
            "entscheidungen_negativ": 1,
            "anhaengig_quartalsende": 20,
            "bearbeitungsdauer_median_tage": 95,
        },
    ),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, dbt_project):
    """The hand-written raw layer built by the real `dbt build`; a read-only connection to the result."""
    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    database = dbt_project.create_build_database(warehouse_dir, RAW_ROWS)
    run = dbt_project.run(["build"], warehouse_dir, STICHTAG, VARIABLES)
    assert run.returncode == 0, run.output[-6000:]
    assert not run.failures(), run.failures()
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, run


def _kpi(con, kpi_id, gebiet, quartal, aufschluesselung=""):
    row = con.execute(
        """
        select wert, zaehler, nenner, ki95_unten, ki95_oben
        from marts.kpi_werte
        where kpi_id = ? and gebiet = ? and quartal = ? and aufschluesselung = ?
        """,
        [kpi_id, gebiet, quartal, aufschluesselung],
    ).fetchone()
    assert row is not None, (kpi_id, gebiet, quartal, aufschluesselung)
    return dict(zip(("wert", "zaehler", "nenner", "ki95_unten", "ki95_oben"), row, strict=True))


def _wilson_percent(successes, trials):
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half_width = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return 100 * max(0.0, centre - half_width), 100 * min(1.0, centre + half_width)


def test_build_passes_every_node_without_warnings(warehouse):
    _, run = warehouse
    statuses = {result["status"] for result in run.results}
    assert statuses <= {"success", "pass"}
    assert len([r for r in run.results if r["unique_id"].startswith("unit_test.")]) >= 10
    assert "[WARNING]" not in run.output
    assert "WARN=0" in run.output and "ERROR=0" in run.output


def test_k01_counts_new_cases_of_loaded_packages_with_exact_poisson_limits(warehouse):
    con, _ = warehouse
    # 05111 Q1: D-B, D-C, D-D opened in Q1 (D-A in 2024).
    # Q2: D-E, D-F; D-G is a stale row of the replaced package.
    q1 = _kpi(con, "K01", "05111", "2025-Q1")
    assert q1["zaehler"] == 3 and q1["nenner"] == EINWOHNER["05111"]
    assert q1["wert"] == pytest.approx(3 / 618685 * 100000)
    # Below 10 cases the interval is the exact Poisson one: chi-square limits 0.61867 and 8.76727 for 3.
    assert q1["ki95_unten"] == pytest.approx(0.6186721229 / 618685 * 100000)
    assert q1["ki95_oben"] == pytest.approx(8.7672730697 / 618685 * 100000)
    assert _kpi(con, "K01", "05111", "2025-Q2")["zaehler"] == 2
    # NRW Q1 pools the three delivering units: 3 + 2 + 1 cases over their served population.
    nrw = _kpi(con, "K01", "NRW", "2025-Q1")
    assert nrw["zaehler"] == 6 and nrw["nenner"] == sum(EINWOHNER.values())
    assert nrw["wert"] == pytest.approx(6 / 1203373 * 100000)
    # TYP_KREISFREI: Düsseldorf and the city of Aachen (which counts with the kreisfreie Städte).
    assert _kpi(con, "K01", "TYP_KREISFREI", "2025-Q1")["zaehler"] == 4
    assert _kpi(con, "K01", "TYP_KREIS", "2025-Q1")["zaehler"] == 2


def test_k02_and_k03_use_the_current_case_state_and_filled_case_management(warehouse):
    con, _ = warehouse
    # Q1 end: D-A, D-B (closed only on 30 June) and D-D (closed 10 May) are open; D-C closed in March.
    assert _kpi(con, "K02", "05111", "2025-Q1")["wert"] == 3
    # Q2 end: D-A and D-E; D-B closed on the quarter's last day, D-D and D-F earlier.
    assert _kpi(con, "K02", "05111", "2025-Q2")["wert"] == 2
    assert _kpi(con, "K02", "NRW", "2025-Q1")["wert"] == 3 + 1 + 1
    # K03: active cases per filled CASE_MANAGEMENT VZÄ of Baustein 2 in the quarter's own package.
    assert _kpi(con, "K03", "05111", "2025-Q1")["wert"] == pytest.approx(3 / 0.5)
    assert _kpi(con, "K03", "05111", "2025-Q2")["wert"] == pytest.approx(2 / 2.0)
    kleve = _kpi(con, "K03", "05154", "2025-Q1")  # the only case-management position is vacant
    assert kleve["wert"] is None and kleve["zaehler"] == 1 and kleve["nenner"] == 0
    assert _kpi(con, "K03", "NRW", "2025-Q1")["wert"] == pytest.approx(5 / (0.5 + 0.0 + 0.8))


def test_k06_and_k07_pool_transitions_and_count_a_reported_event_once(warehouse):
    con, _ = warehouse
    # 05111 Q1: gaps 0 and 14 (D-B's transition, re-reported in Q2, counts once and in its own quarter).
    q1 = _kpi(con, "K06", "05111", "2025-Q1")
    assert (q1["wert"], q1["zaehler"], q1["ki95_unten"], q1["ki95_oben"]) == (7.0, 2, 0, 14)
    # 05111 Q2: the overlap gives -12 days, the other transition 9; the one without a start date is left out.
    q2 = _kpi(con, "K06", "05111", "2025-Q2")
    assert (q2["wert"], q2["zaehler"]) == (-1.5, 2)
    assert _kpi(con, "K06", "05111", "2025-Q2", "uebergang:SGB2>SGB3")["wert"] == -12
    assert _kpi(con, "K06", "05111", "2025-Q2", "uebergang:ASYLBLG>SGB12")["wert"] == 9
    # NRW Q1 pools 0, 14 (05111) and 0, 7, 9 (05154): median 7; n = 5 gives ranks 1 and 5.
    nrw = _kpi(con, "K06", "NRW", "2025-Q1")
    assert (nrw["wert"], nrw["zaehler"], nrw["ki95_unten"], nrw["ki95_oben"]) == (7.0, 5, 0, 14)
    assert _kpi(con, "K06", "NRW", "2025-Q1", "uebergang:ASYLBLG>SGB2")["zaehler"] == 4
    aachen = _kpi(con, "K06", "05334002", "2025-Q1")
    assert aachen["zaehler"] == 0 and aachen["wert"] is None
    # K07: seamless = gap <= 0. NRW Q1: 2 of 5.
    k07 = _kpi(con, "K07", "NRW", "2025-Q1")
    assert (k07["zaehler"], k07["nenner"]) == (2, 5) and k07["wert"] == pytest.approx(40.0)
    assert (k07["ki95_unten"], k07["ki95_oben"]) == pytest.approx(_wilson_percent(2, 5))
    assert _kpi(con, "K07", "05111", "2025-Q2")["wert"] == pytest.approx(50.0)


def test_k08_shares_successful_closures_with_wilson_interval(warehouse):
    con, _ = warehouse
    # 05111 Q2 closures: D-B (Übergabe, success), D-D (Kontaktabbruch), D-F (Wegzug).
    q2 = _kpi(con, "K08", "05111", "2025-Q2")
    assert (q2["zaehler"], q2["nenner"]) == (1, 3)
    assert q2["wert"] == pytest.approx(100 / 3)
    assert (q2["ki95_unten"], q2["ki95_oben"]) == pytest.approx(_wilson_percent(1, 3))
    # NRW Q1: D-C (05111) and K-B (05154) succeeded, K-C broke off; Aachen closed nothing.
    nrw = _kpi(con, "K08", "NRW", "2025-Q1")
    assert (nrw["zaehler"], nrw["nenner"]) == (2, 3)
    aachen = _kpi(con, "K08", "05334002", "2025-Q1")
    assert aachen["nenner"] == 0 and aachen["wert"] is None and aachen["ki95_unten"] is None


def test_k12_and_k14_per_baustein_from_the_quarters_package(warehouse):
    con, _ = warehouse
    assert _kpi(con, "K12", "05111", "2025-Q1")["wert"] == pytest.approx(100 * 2.0 / 3.5)
    assert _kpi(con, "K12", "05111", "2025-Q1", "baustein:2")["wert"] == pytest.approx(25.0)
    assert _kpi(con, "K12", "05111", "2025-Q2")["wert"] == pytest.approx(100.0)
    assert _kpi(con, "K12", "05154", "2025-Q1", "baustein:3")["wert"] is None  # nothing granted
    assert _kpi(con, "K12", "NRW", "2025-Q1")["wert"] == pytest.approx(100 * 3.8 / 6.5)
    # K14: the Haushaltsjahr of the quarter only (2024's funds in the Q1 package are ignored).
    assert _kpi(con, "K14", "05111", "2025-Q1")["wert"] == pytest.approx(18.0)
    assert _kpi(con, "K14", "05111", "2025-Q1", "baustein:2")["wert"] == pytest.approx(20.0)
    assert _kpi(con, "K14", "05111", "2025-Q2")["wert"] == pytest.approx(45.0)
    kleve = _kpi(con, "K14", "05154", "2025-Q1")  # no finanzen.csv delivered
    assert kleve["wert"] is None and kleve["nenner"] == 0
    nrw = _kpi(con, "K14", "NRW", "2025-Q1")
    assert (nrw["zaehler"], nrw["nenner"]) == (130000, 700000)


def test_k24_and_umsetzungsstand_milestones(warehouse):
    con, _ = warehouse
    dates = dict(
        con.execute(
            "select meilenstein, erreicht_am::varchar from marts.umsetzungsstand where ags = '05111'"
        ).fetchall()
    )
    assert dates == {
        "ERSTE_STELLE_BAUSTEIN_1": "2022-01-01",
        "ERSTE_STELLE_BAUSTEIN_2": "2022-06-01",
        "ERSTE_STELLE_BAUSTEIN_3": "2023-03-01",
        "ERSTER_FALL": "2024-11-05",
        "LENKUNGSGRUPPE_KONSTITUIERT": "2025-02-15",
        "ERSTES_THEMA_BESCHLOSSEN": "2025-02-15",
        "ERSTE_MASSNAHME_UMGESETZT": "2025-06-20",
    }
    # 7 for 05111, 2 each for 05154 and 05334002, none for the Städteregion or the 50 units without data.
    counts = con.execute("select count(*), count(erreicht_am) from marts.umsetzungsstand").fetchone()
    assert counts == (54 * 7, 11)
    assert _kpi(con, "K24", "05111", "2025-Q1")["wert"] == 6
    assert _kpi(con, "K24", "05111", "2025-Q2")["wert"] == 7
    assert _kpi(con, "K24", "05111", "2025-Q1", "meilenstein:ERSTE_MASSNAHME_UMGESETZT")["wert"] == 0
    # NRW Q1: 6 (05111) + 2 (05154: Baustein 1, first case) + 2 (05334002: Baustein 2, first case),
    # averaged over the 3 delivering units.
    nrw = _kpi(con, "K24", "NRW", "2025-Q1")
    assert (nrw["zaehler"], nrw["nenner"]) == (10, 3) and nrw["wert"] == pytest.approx(10 / 3)
    assert _kpi(con, "K24", "NRW", "2025-Q1", "meilenstein:ERSTE_STELLE_BAUSTEIN_2")["wert"] == pytest.approx(
        200 / 3
    )


def test_kpi_rows_exist_only_for_delivered_quarters_and_their_areas(warehouse):
    con, _ = warehouse
    areas = con.execute(
        "select distinct gebiet, quartal from marts.kpi_werte where kpi_id <> 'K25' order by quartal, gebiet"
    ).fetchall()
    delivered = {"2025-Q1": ["05111", "05154", "05334002"], "2025-Q2": ["05111"]}
    regierungsbezirk = {"05111": "RB_DUESSELDORF", "05154": "RB_DUESSELDORF", "05334002": "RB_KOELN"}
    unit_type = {"05111": "TYP_KREISFREI", "05154": "TYP_KREIS", "05334002": "TYP_KREISFREI"}
    peers = con.execute("select peer_ags, gebiet from marts.peergruppen").fetchall()
    expected = sorted(
        (area, quartal)
        for quartal, units in delivered.items()
        for area in {
            "NRW",
            *units,
            *(regierungsbezirk[ags] for ags in units),
            *(unit_type[ags] for ags in units),
            *(gebiet for peer, gebiet in peers if peer in units),
        }
    )
    assert sorted(areas) == expected
    kpis = {row[0] for row in con.execute("select distinct kpi_id from marts.kpi_werte").fetchall()}
    missing = {f"K{number:02d}" for number in range(1, 27)} - kpis
    assert not missing, f"KPIs without a row: {sorted(missing)}"


def test_lieferstatus_distinguishes_correction_rejection_and_overdue(warehouse):
    con, _ = warehouse
    rows = con.execute(
        """
        select ags, quartal, status, paket_id, paket_status, fristgerecht, anzahl_pakete, anzahl_abgelehnt
        from marts.lieferstatus
        where ags in ('05111', '05154', '05334', '05334002')
        order by ags, quartal
        """
    ).fetchall()
    assert rows == [
        ("05111", "2025-Q1", "ANGENOMMEN", D1, "ANGENOMMEN", True, 1, 0),
        ("05111", "2025-Q2", "KORRIGIERT", D2, "ANGENOMMEN_MIT_HINWEISEN", True, 2, 0),
        ("05154", "2025-Q1", "ANGENOMMEN", K1, "ANGENOMMEN", False, 1, 0),  # arrived 20 May, deadline 15 May
        ("05154", "2025-Q2", "ABGELEHNT", None, None, False, 1, 1),
        ("05334", "2025-Q1", "UEBERFAELLIG", None, None, False, 0, 0),
        ("05334", "2025-Q2", "UEBERFAELLIG", None, None, False, 0, 0),
        ("05334002", "2025-Q1", "ANGENOMMEN", A1, "ANGENOMMEN", True, 1, 0),
        ("05334002", "2025-Q2", "UEBERFAELLIG", None, None, False, 0, 0),
    ]
    assert con.execute("select count(*) from marts.lieferstatus").fetchone() == (54 * 2,)


def test_k25_counts_quarters_delivered_on_time_for_every_unit_and_pools_all_units(warehouse):
    con, _ = warehouse
    # Both deadlines have passed at the stichtag, so every reporting quarter counts.
    # 05111: Q1 on time (20 April); Q2 on time by the replaced package of 10 July.
    assert _kpi(con, "K25", "05111", "2025-Q1")["wert"] == 100
    q2 = _kpi(con, "K25", "05111", "2025-Q2")
    assert (q2["zaehler"], q2["nenner"], q2["wert"]) == (2, 2, 100)
    # 05154: Q1 arrived on 20 May (late), Q2 was only rejected (late): 0 of 2.
    kleve = _kpi(con, "K25", "05154", "2025-Q2")
    assert (kleve["zaehler"], kleve["nenner"], kleve["wert"]) == (0, 2, 0)
    # 05334002: Q1 on time, Q2 overdue. The Städteregion (05334) delivered nothing and still has a value.
    assert _kpi(con, "K25", "05334002", "2025-Q2")["wert"] == pytest.approx(50.0)
    assert _kpi(con, "K25", "05334", "2025-Q1")["wert"] == 0
    # NRW pools all 54 units, not only those that delivered: 2 of 54 quarters, then 3 of 108.
    nrw_q1, nrw_q2 = _kpi(con, "K25", "NRW", "2025-Q1"), _kpi(con, "K25", "NRW", "2025-Q2")
    assert (nrw_q1["zaehler"], nrw_q1["nenner"]) == (2, 54)
    assert (nrw_q2["zaehler"], nrw_q2["nenner"]) == (3, 108)
    assert nrw_q2["wert"] == pytest.approx(100 * 3 / 108)
    assert _kpi(con, "K25", "TYP_KREISFREI", "2025-Q2")["zaehler"] == 3  # 05111 and the city of Aachen
    assert _kpi(con, "K25", "TYP_KREIS", "2025-Q2")["nenner"] == 31 * 2
    # every unit and every reference area (NRW, 5 Regierungsbezirke, 2 types, 54 peer groups) in both quarters
    assert con.execute("select count(*) from marts.kpi_werte where kpi_id = 'K25'").fetchone() == (
        (54 + 1 + 5 + 2 + 54) * 2,
    )


def test_k26_shares_quarantined_rows_and_filled_optional_fields_of_the_loaded_package(warehouse):
    con, _ = warehouse
    # 05111 Q2 (D2): 1 of 6 case rows and 1 of 5 position rows quarantined, none of 4 event rows: 2 of 15.
    total = _kpi(con, "K26", "05111", "2025-Q2")
    assert (total["zaehler"], total["nenner"]) == (2, 15) and total["wert"] == pytest.approx(100 * 2 / 15)
    assert _kpi(con, "K26", "05111", "2025-Q2", "datei:personal.csv")["wert"] == pytest.approx(20.0)
    assert _kpi(con, "K26", "05111", "2025-Q2", "datei:ereignisse.csv")["wert"] == 0
    # Q1 (D1): nothing quarantined. Optional fields: Gemeinde 2/4, arrival month 2/4, both benefit dates of the
    # 2 Rechtskreiswechsel, the median processing time of the one procedure with decisions: 9 of 13.
    assert _kpi(con, "K26", "05111", "2025-Q1")["wert"] == 0
    assert _kpi(con, "K26", "05111", "2025-Q1", "feld:faelle.gemeinde_ags")["wert"] == pytest.approx(50.0)
    fill = _kpi(con, "K26", "05111", "2025-Q1", "kennzahl:ausfuellgrad")
    assert (fill["zaehler"], fill["nenner"]) == (9, 13)
    # Q2: 3 of the 4 transitions carry a start date (the one of D-A has none).
    assert _kpi(con, "K26", "05111", "2025-Q2", "feld:ereignisse.leistung_beginn_am")[
        "wert"
    ] == pytest.approx(75.0)
    # NRW Q1 pools the three loaded packages (11 + 8 + 2 rows); the rejected package never counts.
    nrw = _kpi(con, "K26", "NRW", "2025-Q1")
    assert (nrw["zaehler"], nrw["nenner"]) == (0, 21)
    assert _kpi(con, "K26", "NRW", "2025-Q2", "datei:faelle.csv")["nenner"] == 6
    breakdowns = {
        row[0]
        for row in con.execute(
            "select distinct split_part(aufschluesselung, ':', 1) from marts.kpi_werte where kpi_id = 'K26'"
        ).fetchall()
    }
    assert breakdowns == {"", "datei", "kennzahl", "feld"}


def test_k26_fill_rates_are_about_optional_fields_of_the_contract(warehouse):
    con, _ = warehouse
    keys = con.execute(
        "select distinct aufschluesselung from marts.kpi_werte where aufschluesselung like 'feld:%'"
    ).fetchall()
    fields = [key.removeprefix("feld:").split(".") for (key,) in keys]
    assert len(fields) == 5  # every optional field occurs in the raw layer above
    for file, column in fields:
        assert not CONTRACT_FILES[file].column(column).required, (file, column)


def test_lieferungen_show_what_became_of_every_package(warehouse):
    con, _ = warehouse
    rows = {
        row[0]: row[1:]
        for row in con.execute(
            """
            select paket_id, kommune_name, status, geladen, ersetzt, ersetzt_durch, fristgerecht,
                zeilen_geliefert, zeilen_geladen, zeilen_quarantaene, zeilen_abgelehnt,
                befunde_paket_abgelehnt, befunde_zeile_quarantaene, befunde_hinweis, erste_ablehnung_regel
            from marts.lieferungen
            """
        ).fetchall()
    }
    assert set(rows) == set(PACKAGES)
    assert rows[D2_REPLACED][:6] == ("Düsseldorf, Stadt", "ANGENOMMEN", False, True, D2, True)
    assert rows[D2] == (
        "Düsseldorf, Stadt", "ANGENOMMEN_MIT_HINWEISEN", True, False, None, True, 15, 13, 2, 0, 0, 3, 1, None,
    )  # fmt: skip
    assert rows[K1][5] is False  # arrived on day 50
    # The rejected package: every delivered row is rejected with it, the missing mandatory file is the reason.
    assert rows[K2_REJECTED] == (
        "Kleve", "ABGELEHNT", False, False, None, True, 11, 0, 0, 11, 2, 0, 0, "PFLICHTDATEI_FEHLT",
    )  # fmt: skip
    files = con.execute(
        "select paket_id, datei, zeilen_abgelehnt, abgeglichen from marts.lieferungen_dateien order by all"
    ).fetchall()
    assert len(files) == 14 and all(abgeglichen for *_, abgeglichen in files)
    assert (K2_REJECTED, "faelle.csv", 9, True) in files


def test_befunde_explain_every_finding_in_reading_order(warehouse):
    con, _ = warehouse
    findings = con.execute(
        """
        select paket_id, befund_nr, kommune_name, quartal, paket_status, paket_geladen, ebene, datei, zeile,
            regel, regel_titel, regel_klasse, ergebnis, rohwerte->>'geburtsjahr'
        from marts.befunde
        order by paket_id, befund_nr
        """
    ).fetchall()
    assert [row[:2] for row in findings] == [
        (D2, 1),
        (D2, 2),
        (D2, 3),
        (D2, 4),
        (K2_REJECTED, 1),
        (K2_REJECTED, 2),
    ]
    assert findings[0][6:13] == (
        "Datei", "ereignisse.csv", None, "SPALTE_UNBEKANNT", "Unbekannte Spalte", "Datei", "HINWEIS",
    )  # fmt: skip
    assert findings[1][2:6] == ("Düsseldorf, Stadt", "2025-Q2", "ANGENOMMEN_MIT_HINWEISEN", True)
    assert findings[1][9:] == (
        "WERTEBEREICH", "Wert außerhalb des Bereichs", "Zeile", "ZEILE_QUARANTAENE", "1850",
    )  # fmt: skip
    # The rejected package: the missing file before the row it also names; nothing of it is loaded.
    assert [(row[9], row[5], row[12]) for row in findings[4:]] == [
        ("PFLICHTDATEI_FEHLT", False, "PAKET_ABGELEHNT"),
        ("TYP_DATUM", False, "PAKET_ABGELEHNT"),
    ]
    titles = dict(con.execute("select regel, titel from marts.regeln").fetchall())
    assert titles["PFLICHTDATEI_FEHLT"] == "Pflichtdatei fehlt"


def test_reference_marts(warehouse):
    con, _ = warehouse
    aachen = con.execute(
        "select typ_bezeichnung, vergleichstyp, anzahl_gemeinden from marts.kommunen where ags = '05334'"
    ).fetchone()
    assert aachen == ("Städteregion", "TYP_KREIS", 9)
    assert con.execute("select count(*), sum(anzahl_gemeinden) from marts.kommunen").fetchone() == (54, 396)
    areas = con.execute(
        "select gebiet, name, anzahl_kommunen from marts.gebiete "
        "where gebietsebene in ('land', 'regierungsbezirk', 'typ') order by 1"
    ).fetchall()
    assert areas == [
        ("NRW", "Nordrhein-Westfalen", 54),
        ("RB_ARNSBERG", "Regierungsbezirk Arnsberg", 12),
        ("RB_DETMOLD", "Regierungsbezirk Detmold", 7),
        ("RB_DUESSELDORF", "Regierungsbezirk Düsseldorf", 15),
        ("RB_KOELN", "Regierungsbezirk Köln", 12),
        ("RB_MUENSTER", "Regierungsbezirk Münster", 8),
        ("TYP_KREIS", "Kreise", 31),
        ("TYP_KREISFREI", "Kreisfreie Städte", 23),
    ]
    peer_groups = con.execute(
        "select count(*), min(anzahl_kommunen), max(anzahl_kommunen), count(distinct bezugskommune) "
        "from marts.gebiete where gebietsebene = 'peergruppe'"
    ).fetchone()
    assert peer_groups == (54, 7, 7, 54)
    assert con.execute("select name from marts.gebiete where gebiet = 'PEER_05111'").fetchone() == (
        "Vergleichsgruppe Düsseldorf, Stadt",
    )
    katalog = con.execute("select count(*), count(distinct polaritaet) from marts.kpi_katalog").fetchone()
    with open(SEEDS_DIR / "kpi_katalog.csv", encoding="utf-8", newline="") as seed:
        assert katalog == (len(list(csv.DictReader(seed))), 3)


def test_a_malformed_stichtag_stops_the_build_with_a_german_message(tmp_path, dbt_project):
    dbt_project.create_build_database(tmp_path, {})
    run = dbt_project.run(["compile", "--select", "lieferstatus"], tmp_path, "15.11.2025")
    assert run.returncode != 0
    assert "Die Variable 'stichtag' (bzw. KIM_STICHTAG) hat den Wert '15.11.2025'" in run.output
