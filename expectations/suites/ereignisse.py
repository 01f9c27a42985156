"""Suite of `ereignisse.csv` (case events) — DATA_CONTRACT.md section 2, `ereignisse.csv`.

| rule | expectation |
|---|---|
| every column present, of its type; required columns filled; codes in their lists | `common.schema_checks` |
| `fall_id` exists in this package's `faelle.csv` or an earlier package of the unit | helper `_fall_herkunft` not null |
| … and not only in quarantined `faelle.csv` rows of this package | helper `_fall_herkunft` ≠ `QUARANTAENE` |
| `ereignis_am` ≥ the case's `aufnahme_am` | pair A ≥ B with helper `_fall_aufnahme_am` |
| `ereignis_am` ≤ quarter end (late events of earlier quarters are allowed) | between, max `$quartalsende` |
| `von_rechtskreis`, `nach_rechtskreis` given iff `RECHTSKREISWECHSEL` | not null / null under a row condition |
| `von_rechtskreis` ≠ `nach_rechtskreis` | helper `_rechtskreis_paar` not in the set of equal pairs |
| `stelle` given iff `UEBERGABE` | not null / null under a row condition |
| `leistung_ende_am`, `leistung_beginn_am` describe a `RECHTSKREISWECHSEL` | null under a row condition, `HINWEIS` |
| exact repeats on the natural key are no error (appends are deduplicated) | compound unique, `HINWEIS` |

The benefit dates only have a meaning for a Rechtskreiswechsel (the warehouse computes transition gaps from
them and ignores them on other events), so on another event they are a notice, not a reason to quarantine
the event. `leistung_beginn_am` may precede `leistung_ende_am` (overlapping benefits) and may lie after the
quarter end (benefits starting after an event at the end of the quarter), so neither is checked.

Which cases exist: the `faelle.csv` rows of this package that passed their own suite, then the cases of
earlier packages (`ValidationParameters.known_cases`); a case of this package wins over an earlier one (the
newest quarter that mentions a case wins). An event whose case is only in quarantined `faelle.csv` rows would
point to a case the warehouse does not hold, so it is quarantined too, with a message naming those lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations._gx import gxe
from expectations.messages import lines_phrase
from expectations.suites.common import (
    DTYPES,
    PACKAGE,
    Helper,
    SuiteContext,
    col,
    duplicate_lines,
    empty_unless,
    meta,
    not_before,
    required_if,
    schema_checks,
    typed,
)
from pipelines.contract.codes import codes
from pipelines.contract.findings import Outcome, Rule
from pipelines.contract.schema import CONTRACT_FILES

FILE = CONTRACT_FILES["ereignisse"]
FAELLE = CONTRACT_FILES["faelle"]
TRANSITION = "RECHTSKREISWECHSEL"
HANDOVER = "UEBERGABE"

# Where an event's case was found (`_fall_herkunft`), in order of precedence.
IN_PACKAGE = "PAKET"
EARLIER = "FRUEHER"
QUARANTINED = "QUARANTAENE"
PAIR_SEPARATOR = "→"  # in `_rechtskreis_paar`

HELPERS = (
    PACKAGE,
    Helper(
        "_fall_herkunft", "plain", "where the event's case is: PAKET, FRUEHER, QUARANTAENE or empty (unknown)"
    ),
    Helper("_fall_aufnahme_am", "date", "the case's `aufnahme_am` (this package's faelle.csv, else earlier)"),
    Helper("_fall_zeilen", "zeilen", "the quarantined faelle.csv lines of the case (message only)"),
    Helper(
        "_rechtskreis_paar",
        "plain",
        "`von_rechtskreis→nach_rechtskreis` if both are codes of the list, else empty",
    ),
    Helper("_duplikat_zeilen", "zeilen", "lines repeating this row's natural key (message only)"),
)


def case_reference(context: SuiteContext) -> pd.DataFrame:
    """One row per known `fall_id`: `_fall_herkunft`, `_fall_aufnahme_am`, `_fall_zeilen`."""
    return case_references({context.paket: context}).drop(columns=PACKAGE.name).reset_index(drop=True)


def case_references(contexts: dict[int, SuiteContext]) -> pd.DataFrame:
    """`case_reference` of many packages at once: one row per package (`_paket`) and known `fall_id`."""
    parts = []
    faelle = [
        pd.DataFrame(
            {
                PACKAGE.name: paket,
                "zeile": context.faelle["zeile"].astype("Int64"),
                "fall_id": typed(context.faelle, FAELLE, "fall_id"),
                "aufnahme_am": typed(context.faelle, FAELLE, "aufnahme_am"),
                "_quarantaene": context.faelle["zeile"].isin(list(context.faelle_quarantined)).to_numpy(),
            }
        )
        for paket, context in contexts.items()
        if context.faelle is not None and len(context.faelle)
    ]
    if faelle:
        faelle = pd.concat(faelle, ignore_index=True)
        quarantined = faelle["_quarantaene"].to_numpy(dtype=bool)
        parts.append(
            faelle[~quarantined].drop(columns="_quarantaene").assign(_fall_herkunft=IN_PACKAGE, _rang=0)
        )
        bad = faelle[quarantined].dropna(subset=["fall_id"])
        if len(bad):
            lines = bad.groupby([PACKAGE.name, "fall_id"], sort=False)["zeile"].agg(
                lambda zeilen: lines_phrase(zeilen.tolist())
            )
            parts.append(
                pd.DataFrame(
                    {
                        PACKAGE.name: lines.index.get_level_values(0),
                        "fall_id": lines.index.get_level_values(1).astype(DTYPES["text"]),
                        # A quarantined case has no intake date to compare events with.
                        "aufnahme_am": pd.array([None] * len(lines), dtype=DTYPES["date"]),
                        "_fall_zeilen": lines.to_numpy(),
                    }
                ).assign(_fall_herkunft=QUARANTINED, _rang=2)
            )
    for paket, context in contexts.items():
        known = context.known_cases
        if known is not None and len(known):
            parts.append(
                pd.DataFrame(
                    {
                        PACKAGE.name: paket,
                        "fall_id": known["fall_id"].astype(DTYPES["text"]),
                        "aufnahme_am": known["aufnahme_am"].astype(DTYPES["date"]),
                    }
                ).assign(_fall_herkunft=EARLIER, _rang=1)
            )
    columns = [PACKAGE.name, "fall_id", "_fall_herkunft", "_fall_aufnahme_am", "_fall_zeilen"]
    if not parts:
        return pd.DataFrame({name: pd.Series([], dtype=DTYPES["text"]) for name in columns}).astype(
            {PACKAGE.name: "int64", "_fall_aufnahme_am": DTYPES["date"]}
        )
    cases = pd.concat(parts, ignore_index=True).dropna(subset=["fall_id"])
    if "_fall_zeilen" not in cases:
        cases["_fall_zeilen"] = None
    cases = cases.sort_values("_rang", kind="stable").drop_duplicates([PACKAGE.name, "fall_id"], keep="first")
    return pd.DataFrame(
        {
            PACKAGE.name: cases[PACKAGE.name].astype("int64"),
            "fall_id": cases["fall_id"].astype(DTYPES["text"]),
            "_fall_herkunft": cases["_fall_herkunft"].astype(DTYPES["text"]),
            "_fall_aufnahme_am": cases["aufnahme_am"].astype(DTYPES["date"]),
            "_fall_zeilen": cases["_fall_zeilen"].astype(DTYPES["text"]),
        }
    )


def add_helper_columns(frame: pd.DataFrame, context: SuiteContext) -> pd.DataFrame:
    return add_helper_columns_batch({context.paket: frame}, {context.paket: context}).set_axis(frame.index)


def add_helper_columns_batch(
    frames: dict[int, pd.DataFrame], contexts: dict[int, SuiteContext]
) -> pd.DataFrame:
    """`add_helper_columns` of many packages' frames, concatenated in order: each event is matched with its
    own package's cases in one merge on (package, case), and repeats are looked for within each package."""
    frame = pd.concat(list(frames.values()), ignore_index=True)
    paket = pd.Series(
        pd.array(np.repeat(list(frames), [len(part) for part in frames.values()]), dtype="Int32"),
        index=frame.index,
    )
    events = pd.DataFrame({PACKAGE.name: paket.astype("int64"), "fall_id": typed(frame, FILE, "fall_id")})
    matched = events.merge(
        case_references(contexts),
        on=[PACKAGE.name, "fall_id"],
        how="left",
        sort=False,
        validate="many_to_one",
    )
    matched.index = frame.index
    with_package = frame.assign(_paket=paket)
    return with_package.assign(
        _fall_herkunft=matched["_fall_herkunft"].astype(DTYPES["text"]),
        _fall_aufnahme_am=matched["_fall_aufnahme_am"].astype(DTYPES["date"]),
        _fall_zeilen=matched["_fall_zeilen"].astype(DTYPES["text"]),
        _rechtskreis_paar=_known_pair(
            typed(frame, FILE, "von_rechtskreis"), typed(frame, FILE, "nach_rechtskreis")
        ),
        _duplikat_zeilen=duplicate_lines(with_package, [PACKAGE.name, *FILE.natural_key]),
    )


def _pair(von: str, nach: str) -> str:
    return f"{von}{PAIR_SEPARATOR}{nach}"


def _known_pair(von: pd.Series, nach: pd.Series) -> pd.Series:
    """`von→nach` where both are codes of the list, else empty: a pair with an unknown code is the code-list
    check's finding, not this one's.

    The rule compares this one column with the equal pairs (`ExpectColumnValuesToNotBeInSet`).
    `ExpectColumnPairValuesToBeInSet` with the unequal pairs on the two columns says the same, but GX
    evaluates it row by row with `DataFrame.iterrows` (half a second of CPU for 25,000 events).
    """
    known = list(codes("rechtskreis"))
    pairs = von.astype(DTYPES["text"]) + PAIR_SEPARATOR + nach.astype(DTYPES["text"])
    return pairs.where(von.isin(known) & nach.isin(known)).astype(DTYPES["text"])


def _case_reference() -> list:
    E = gxe()
    return [
        E.ExpectColumnValuesToNotBeNull(
            column="_fall_herkunft",
            meta=meta(
                Rule.UNKNOWN_CASE,
                "fall_id",
                "Der Fall dieses Ereignisses ist weder in faelle.csv dieses Pakets noch in einem früheren "
                "Paket der Kommune geliefert worden; bitte die Fall-ID prüfen oder den Fall in faelle.csv "
                "mitliefern.",
            ),
        ),
        E.ExpectColumnValuesToNotBeInSet(
            column="_fall_herkunft",
            value_set=[QUARANTINED],
            meta=meta(
                Rule.UNKNOWN_CASE,
                "fall_id",
                "Der Fall dieses Ereignisses ist in faelle.csv zurückgehalten ({_fall_zeilen}) und aus keinem "
                "früheren Paket bekannt; bitte zuerst den Fall berichtigen, dann wird auch das Ereignis "
                "übernommen.",
            ),
        ),
        not_before(
            later="ereignis_am",
            earlier="_fall_aufnahme_am",
            regel=Rule.DATE_ORDER,
            meldung="Das Ereignisdatum {wert} liegt vor der Aufnahme des Falls am {_fall_aufnahme_am}; bitte "
            "das Ereignisdatum oder das Aufnahmedatum in faelle.csv prüfen.",
        ),
    ]


def _period() -> list:
    return [
        gxe().ExpectColumnValuesToBeBetween(
            column="ereignis_am",
            max_value={"$PARAMETER": "quartalsende"},
            meta=meta(
                Rule.PERIOD,
                "ereignis_am",
                "Das Ereignisdatum {wert} liegt nach dem Ende des Berichtsquartals {quartal} ({quartalsende}); "
                "bitte das Datum prüfen oder das Ereignis im nächsten Quartal liefern.",
            ),
        )
    ]


def _transition() -> list:
    is_transition = col("ereignis") == TRANSITION
    other_event = col("ereignis") != TRANSITION
    equal_pairs = [_pair(code, code) for code in codes("rechtskreis")]
    return [
        required_if(
            "von_rechtskreis",
            is_transition,
            "Bei einem Rechtskreiswechsel fehlt der bisherige Rechtskreis; bitte „von_rechtskreis“ angeben.",
        ),
        required_if(
            "nach_rechtskreis",
            is_transition,
            "Bei einem Rechtskreiswechsel fehlt der neue Rechtskreis; bitte „nach_rechtskreis“ angeben.",
        ),
        empty_unless(
            "von_rechtskreis",
            other_event,
            "Der Rechtskreis {wert} ist beim Ereignis {ereignis} angegeben, gehört aber nur zu einem "
            "RECHTSKREISWECHSEL; bitte das Feld leer lassen oder das Ereignis prüfen.",
        ),
        empty_unless(
            "nach_rechtskreis",
            other_event,
            "Der Rechtskreis {wert} ist beim Ereignis {ereignis} angegeben, gehört aber nur zu einem "
            "RECHTSKREISWECHSEL; bitte das Feld leer lassen oder das Ereignis prüfen.",
        ),
        gxe().ExpectColumnValuesToNotBeInSet(
            column="_rechtskreis_paar",
            value_set=equal_pairs,
            meta=meta(
                Rule.SAME_RECHTSKREIS,
                "nach_rechtskreis",
                "Der Rechtskreiswechsel führt von {von_rechtskreis} nach {wert}, also in denselben "
                "Rechtskreis; bitte den bisherigen und den neuen Rechtskreis prüfen.",
            ),
        ),
        empty_unless(
            "leistung_ende_am",
            other_event,
            "Das Leistungsende {wert} gehört nur zu einem RECHTSKREISWECHSEL, nicht zum Ereignis {ereignis}; "
            "es wird nicht ausgewertet. Bitte das Feld künftig leer lassen.",
            ergebnis=Outcome.NOTICE,
        ),
        empty_unless(
            "leistung_beginn_am",
            other_event,
            "Der Leistungsbeginn {wert} gehört nur zu einem RECHTSKREISWECHSEL, nicht zum Ereignis "
            "{ereignis}; er wird nicht ausgewertet. Bitte das Feld künftig leer lassen.",
            ergebnis=Outcome.NOTICE,
        ),
    ]


def _handover() -> list:
    return [
        required_if(
            "stelle",
            col("ereignis") == HANDOVER,
            "Bei einer Übergabe fehlt die Stelle, an die übergeben wurde; bitte „stelle“ angeben (z. B. "
            "JOBCENTER).",
        ),
        empty_unless(
            "stelle",
            col("ereignis") != HANDOVER,
            "Die Stelle {wert} ist beim Ereignis {ereignis} angegeben, gehört aber nur zu einer UEBERGABE; "
            "bitte das Feld leer lassen oder das Ereignis prüfen.",
        ),
    ]


def _repeats() -> list:
    return [
        gxe().ExpectCompoundColumnsToBeUnique(
            column_list=[PACKAGE.name, *FILE.natural_key],
            meta=meta(
                Rule.DUPLICATE,
                "ereignis",
                "Das Ereignis {wert} vom {ereignis_am} ist für denselben Fall mehrfach geliefert "
                "({_duplikat_zeilen}); es wird nur einmal übernommen. Bitte doppelte Zeilen aus dem Export "
                "entfernen.",
                Outcome.NOTICE,
            ),
        )
    ]


def expectations() -> list:
    return schema_checks(FILE) + _case_reference() + _period() + _transition() + _handover() + _repeats()
