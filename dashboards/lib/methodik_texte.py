"""The German texts that explain how KIM-Monitor computes, compares and protects its figures.

The Methodik page shows them in full, the other pages use the short legends next to their tables and charts.
They describe what the dbt models in `dbt_project/` do (macros `statistik/*` and `vergleiche/*`, models
`int_kpi_werte_geheimhaltung_geprueft`, `int_kpi_werte_veroeffentlicht`, `int_peergruppen_ermittelt`): when a
method changes there, the text changes here. Texts built from data (the catalogue, the structural features) are
pure functions, unit-tested like the rest of `lib/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboards.lib import formatting, kpi_display, roles

# --- short legends for the profile and the overview ---------------------------------------------------------

REFERENCE_HELP = (
    "Womit die Werte der Kommune verglichen werden: NRW, ihr Regierungsbezirk, ihr Typ (kreisfreie Städte oder "
    "Kreise), ihre Vergleichsgruppe aus den 7 strukturell ähnlichsten Kommunen oder ihr eigener Wert im "
    "selben Quartal des Vorjahres. Vergleichswerte sind gepoolt über die liefernden Kommunen."
)

PEER_GROUP_SHORT = (
    "Die Vergleichsgruppe besteht aus den 7 Kommunen, die dieser Kommune nach Struktur am ähnlichsten sind: "
    "gemessen als Abstand über die standardisierten Merkmale Einwohnerzahl und Einwohnerdichte des "
    "Zuständigkeitsgebiets (jeweils logarithmiert) und Typ der Kommune. Je kleiner der Strukturabstand, desto "
    "ähnlicher. Die Kommune selbst gehört nicht dazu; die Gruppe ist nicht wechselseitig. Näheres auf der "
    "Seite Methodik."
)

TREND_LEGEND = (
    "Trend: Test auf einen linearen Trend über die letzten 5 Quartale auf der Stufe 99,8 % – ↗ steigend, "
    "↘ fallend, → kein signifikanter Trend; günstig oder ungünstig nach der Lesart der Kennzahl; – weniger als "
    "5 Quartale mit Wert."
)

TREND_CHART_LEGEND = (
    "Die Linie der Kommune trägt ihr 95-%-Konfidenzintervall als Band. Jeder Punkt zeigt den Vergleich mit "
    "dem gewählten Bezug: ◆ grün besser, ✕ orange schlechter, ● grau ähnlich oder ohne Wertung; größere Punkte: "
    "Unterschied auch auf der Stufe 99,8 %."
)

MINISTRY_VALUES_NOTE = (
    "Rolle Ministerium: alle Werte ohne statistische Geheimhaltung. Die Spalte „Geheimhaltung“ sagt, wie die "
    "Veröffentlichung für die Kommunen einen Wert zeigt. Nicht zur Weitergabe bestimmt."
)

FUNNEL_SHORT = (
    "Jeder Punkt ist eine Kommune, waagerecht ihr Nenner (wie viele Fälle oder Einwohner hinter dem Wert "
    "stehen), senkrecht ihr Wert. Die Linie ist der NRW-Wert, die Kurven sind die Grenzen, innerhalb derer "
    "der Wert einer Kommune dieser Größe mit 95 % bzw. 99,8 % Wahrscheinlichkeit läge, wenn sie sich vom "
    "Land nur zufällig unterschiede. Kleine Kommunen streuen von Natur aus stärker; erst außerhalb der "
    "Grenzen ist ein Unterschied deutlich."
)


def comparison_caption(reference_column: str, previous_year: bool) -> str:
    """The legend under the latest-values table."""
    against = (
        "dem eigenen Wert im selben Quartal des Vorjahres"
        if previous_year
        else f"„{reference_column}“ im selben Quartal"
    )
    return (
        f"Vergleich mit {against}: ✓ besser bzw. ✗ schlechter, wenn das 95-%-Konfidenzintervall der Kommune "
        "den Vergleichswert nicht enthält (✓✓/✗✗: auch das 99,8-%-Intervall nicht); ≈ ähnlich: kein gesicherter "
        "Unterschied; ↑ höher bzw. ↓ niedriger bei Kennzahlen ohne Wertung. Bei Vollerhebungen ohne Intervall "
        "zählt jeder Unterschied. Anzahlen, deren Vergleichswert eine Summe über Kommunen ist, werden nur mit "
        "dem Vorjahr verglichen. – bedeutet: kein Wert."
    )


def funnel_caption(funnel: pd.DataFrame, *, name_units: bool) -> str:
    """Overdispersion of the shown quarter and who is named in the funnel."""
    if funnel.empty:
        return ""
    row = funnel.iloc[0]
    phi = formatting.format_number(row["phi"], 2)
    tau2 = float(row["tau2"]) if not formatting.is_missing(row["tau2"]) else 0.0
    spread = (
        f"Die Werte streuen stärker als zufällig (φ = {phi}); die Grenzen sind deshalb um die zusätzliche "
        f"Varianz τ² = {formatting.format_number(tau2, 2)} erweitert (Spiegelhalter 2005)."
        if tau2 > 0
        else f"Die Werte streuen nicht stärker als zufällig (φ = {phi}); die Grenzen sind nicht erweitert."
    )
    names = (
        "Rolle Ministerium: alle Kommunen sind benannt."
        if name_units
        else "Andere Kommunen sind nicht benannt: der Trichter zeigt Lagen, keine Rangfolge."
    )
    return f"{formatting.format_number(len(funnel))} Kommunen mit veröffentlichtem Wert. {spread} {names}"


# --- the catalogue, KPI by KPI ------------------------------------------------------------------------------

VALUE_KIND_LABELS = {
    "anteil": "Anteil in Prozent (0 bis 100)",
    "rate": "Rate: Ereignisse je Bezugsgröße",
    "anzahl": "Anzahl",
    "median": "Median",
    "verhaeltnis": "Verhältnis zweier Größen (ohne Zufallsmodell)",
}
METHOD_LABELS = {
    "wilson": "Wilson-Score-Intervall für Anteile",
    "poisson": "Poisson-Intervall für Raten: nach Byar, unter 10 Ereignissen exakt",
    "median_ordnung": "verteilungsfreies Intervall des Medians über Ordnungsstatistiken",
    "kaplan_meier": (
        "Kaplan-Meier-Schätzung mit Greenwood-Varianz und Log-Log-Transformation; Intervall des Medians "
        "nach Brookmeyer und Crowley"
    ),
    "keine": "kein Konfidenzintervall: Vollerhebung ohne Zufallsfehler",
}
TREND_TEST_LABELS = {
    "wilson": "χ²-Trendtest nach Cochran und Armitage",
    "poisson": "χ²-Trendtest für Poisson-Zählungen",
    "median_ordnung": "Wald-χ²-Test der gewichteten Regression",
    "kaplan_meier": "Wald-χ²-Test der gewichteten Regression",
    "keine": "t-Test der Regressionsgeraden",
}


def kpi_title(kpi: Any) -> str:
    """`K07 · Nahtlose Übergänge` (the label of a KPI's section on the Methodik page)."""
    return f"{kpi.kpi_id} · {kpi.name}"


def _text(value: Any) -> str:
    return "" if formatting.is_missing(value) else str(value).strip()


def breakdown_text(aufschluesselungen: Any) -> str:
    """`uebergang|stelle` → `Übergangsart (von → nach), Stelle des Regelsystems`; `nur Gesamtwert` if none."""
    dimensions = [part for part in _text(aufschluesselungen).split("|") if part]
    if not dimensions:
        return "nur Gesamtwert"
    return ", ".join(formatting.format_breakdown_dimension(dimension) for dimension in dimensions)


def confidentiality_text(geheimhaltung_anzahl: Any, geheimhaltung_fallzahl: Any) -> str:
    """What the published layer keeps secret for a KPI, from its catalogue columns."""
    count_column, case_column = _text(geheimhaltung_anzahl), _text(geheimhaltung_fallzahl)
    rules = []
    if count_column == "wert":
        rules.append("Eine Anzahl von 1 bis 4 wird als „<5“ ausgewiesen.")
    elif count_column:
        parts = " oder ".join(
            {"zaehler": "Zähler", "nenner": "Nenner"}.get(part, part) for part in count_column.split("|")
        )
        rules.append(
            f"Beruht der Wert auf einer Anzahl von 1 bis 4 ({parts}), wird er nicht ausgewiesen "
            "(„k. A. (Anzahl <5)“)."
        )
    if case_column:
        rules.append(
            "Beruht ein Anteil oder Median auf weniger als 10 Fällen, werden Wert und Intervall nicht "
            "ausgewiesen („k. A. (unter 10 Fällen)“)."
        )
    if not rules:
        return (
            "Keine Geheimhaltung nötig: Die Kennzahl enthält keine Zahl von Personen oder Fällen, aus der sich "
            "Einzelne erkennen ließen."
        )
    rules.append(
        "Ließe sich ein verborgener Wert aus anderen zurückrechnen, wird ein weiterer Wert gesperrt („·“); "
        "Vergleichsgebiete werden ohne die verborgenen Werte berechnet (bereinigt)."
    )
    return " ".join(rules)


def kpi_method_text(kpi: Any) -> str:
    """Markdown for one KPI of the catalogue: definition, unit, kind of value, reading direction, interval
    method, breakdowns, trend test, funnel plot and confidentiality."""
    methode = _text(getattr(kpi, "methode", None)) or "keine"
    wertart = _text(getattr(kpi, "wertart", None))
    funnel = (
        "ja, um den NRW-Wert"
        if kpi_display.has_funnel(wertart, methode)
        else "nein (nur für Anteile und Raten mit Zufallsmodell)"
    )
    lines = [
        _text(kpi.definition),
        "",
        f"- **Einheit:** {_text(kpi.einheit)}",
        f"- **Art des Werts:** {VALUE_KIND_LABELS.get(wertart, wertart or formatting.MISSING)}",
        f"- **Lesart:** {formatting.format_polarity(kpi.polaritaet)}",
        f"- **Unsicherheit laut Katalog:** {_text(kpi.unsicherheit) or formatting.MISSING}",
        f"- **Rechenverfahren des Intervalls:** {METHOD_LABELS.get(methode, methode)}",
        f"- **Aufschlüsselungen:** {breakdown_text(getattr(kpi, 'aufschluesselungen', None))}",
        f"- **Trendtest:** {TREND_TEST_LABELS.get(methode, formatting.MISSING)}, Stufe 99,8 %",
        f"- **Trichterdiagramm:** {funnel}",
        "- **Geheimhaltung:** "
        + confidentiality_text(
            getattr(kpi, "geheimhaltung_anzahl", None), getattr(kpi, "geheimhaltung_fallzahl", None)
        ),
    ]
    return "\n".join(lines)


# --- reference areas and peer groups, with the numbers of the current snapshot ------------------------------


@dataclass(frozen=True)
class StructureFacts:
    """Numbers about the structural features and peer groups, for the text of the Methodik page."""

    units: int
    kreisfrei: int
    kreise: int
    with_foreign_share: bool
    population_min: float
    population_median: float
    population_max: float
    density_min: float
    density_median: float
    density_max: float
    seventh_distance_min: float
    seventh_distance_median: float
    seventh_distance_max: float


def structure_facts(features: pd.DataFrame, distances: pd.DataFrame) -> StructureFacts:
    """The facts of `queries.structural_features()` and `queries.peer_distances()`."""
    density = features["einwohner_zustaendig"] / features["flaeche_zustaendig_km2"]
    seventh = distances.loc[distances["rang"] == distances["rang"].max(), "distanz"]
    return StructureFacts(
        units=len(features),
        kreisfrei=int((features["kreisfrei"] == 1).sum()),
        kreise=int((features["kreisfrei"] == 0).sum()),
        with_foreign_share=bool(features["auslaenderanteil_prozent"].notna().all()) and len(features) > 0,
        population_min=float(features["einwohner_zustaendig"].min()),
        population_median=float(features["einwohner_zustaendig"].median()),
        population_max=float(features["einwohner_zustaendig"].max()),
        density_min=float(density.min()),
        density_median=float(density.median()),
        density_max=float(density.max()),
        seventh_distance_min=float(seventh.min()),
        seventh_distance_median=float(seventh.median()),
        seventh_distance_max=float(seventh.max()),
    )


def feature_table(features: pd.DataFrame) -> pd.DataFrame:
    """Mean and (population) standard deviation of every structural feature, over the units: the numbers
    each feature is standardised with, and its range on its own scale."""
    rows = [
        ("ln_einwohner", "Logarithmus der Einwohnerzahl des Zuständigkeitsgebiets"),
        ("ln_dichte", "Logarithmus der Einwohner je km² des Zuständigkeitsgebiets"),
        ("kreisfrei", "Typ: 1 = kreisfreie Stadt (auch Stadt Aachen), 0 = Kreis"),
        ("auslaenderanteil_prozent", "Ausländeranteil in Prozent"),
    ]
    table = []
    for column, label in rows:
        values = features[column].dropna()
        if values.empty:
            table.append(
                (label, formatting.MISSING, formatting.MISSING, "noch nicht für alle Kommunen eingespielt")
            )
            continue
        table.append(
            (
                label,
                formatting.format_number(values.mean(), 3),
                formatting.format_number(values.std(ddof=0), 3),
                f"{formatting.format_number(values.min(), 2)} bis {formatting.format_number(values.max(), 2)}",
            )
        )
    return pd.DataFrame(table, columns=["Merkmal", "Mittelwert", "Standardabweichung", "Spannweite"])


def peer_group_text(facts: StructureFacts) -> str:
    """How the peer groups are formed, with the numbers of the current snapshot."""
    foreign = (
        "Der Ausländeranteil ist für alle Kommunen eingespielt und geht als viertes Merkmal ein."
        if facts.with_foreign_share
        else "Der Ausländeranteil geht ein, sobald er für alle Kommunen eingespielt ist; derzeit fehlt er."
    )
    return f"""
Jede Kommune wird mit den **7 Kommunen** verglichen, die ihr nach ihrer Struktur am ähnlichsten sind. Grundlage
sind Merkmale, die für alle {facts.units} KIM-Kommunen gleich erhoben sind:

1. die **Einwohnerzahl des Zuständigkeitsgebiets** – derzeit von {formatting.format_number(facts.population_min)}
   bis {formatting.format_number(facts.population_max)} (Median {formatting.format_number(facts.population_median)}),
2. die **Einwohnerdichte** des Zuständigkeitsgebiets – von {formatting.format_number(facts.density_min)} bis
   {formatting.format_number(facts.density_max)} Einwohnern je km² (Median
   {formatting.format_number(facts.density_median)}),
3. der **Typ**: {facts.kreisfrei} kreisfreie Städte (die Stadt Aachen zählt zu ihnen) und {facts.kreise} Kreise
   (auch die Städteregion Aachen, ohne die Stadt Aachen).

{foreign}

Einwohnerzahl und Dichte gehen **logarithmiert** ein, weil sie sich um zwei Größenordnungen unterscheiden: So
bedeutet ein Unterschied überall dasselbe Verhältnis. Jedes Merkmal wird dann **standardisiert**: Mittelwert
über alle Kommunen abziehen, durch die Standardabweichung teilen (z-Wert). So wiegt jedes Merkmal gleich viel.
Der **Strukturabstand** zweier Kommunen ist der euklidische Abstand ihrer z-Werte, also die Wurzel aus der Summe
der quadrierten Differenzen. Die 7 Kommunen mit dem kleinsten Abstand bilden die Vergleichsgruppe; bei gleichem
Abstand entscheidet der kleinere Gemeindeschlüssel (AGS), sodass die Gruppen aus den Referenzdaten allein
nachgerechnet werden können. Die Kommune selbst gehört nicht zu ihrer Gruppe, und die Gruppen sind nicht
wechselseitig: B kann zur Gruppe von A gehören, ohne dass A zur Gruppe von B gehört.

Der Abstand zur siebtähnlichsten Kommune liegt derzeit zwischen
{formatting.format_number(facts.seventh_distance_min, 2)} und {formatting.format_number(facts.seventh_distance_max, 2)}
(Median {formatting.format_number(facts.seventh_distance_median, 2)}). Die Mittelwerte und Standardabweichungen,
mit denen standardisiert wird:
""".strip()


# --- the static method sections -----------------------------------------------------------------------------

INTRO = """
Diese Seite erklärt, was die Kennzahlen des KIM-Monitors bedeuten, wie ihre Unsicherheit geschätzt wird, wie
Kommunen mit Bezugswerten verglichen werden und wie kleine Fallzahlen geschützt werden. Alle Berechnungen
geschehen im Warehouse (dbt-Modelle), nicht im Dashboard; das Dashboard zeigt sie nur an.
""".strip()


def role_note(role: roles.Role) -> str:
    """Which values the reader of the page sees."""
    if role.sees_unsuppressed:
        return (
            "Sie sehen das Dashboard in der Rolle **Ministerium**: alle Werte ohne statistische Geheimhaltung, "
            "dazu Rangfolgen der Kommunen. Diese Werte sind nicht zur Weitergabe bestimmt."
        )
    return (
        "Sie sehen das Dashboard in der Rolle **Kommune**: die veröffentlichten Werte mit statistischer "
        "Geheimhaltung. Kommunen werden nicht in eine Rangfolge gebracht; gezeigt wird die Lage jeder Kommune "
        "gegenüber ihren Bezugswerten."
    )


REFERENCE_AREAS = """
Jeder Wert einer Kommune kann mit fünf Bezügen verglichen werden:

- **NRW** – alle KIM-Kommunen zusammen,
- ihr **Regierungsbezirk** (Düsseldorf, Köln, Münster, Detmold, Arnsberg),
- ihr **Typ** – kreisfreie Städte oder Kreise,
- ihre **Vergleichsgruppe** – die 7 strukturell ähnlichsten Kommunen (siehe unten),
- ihr eigener Wert im selben Quartal des **Vorjahres**.

Die Werte der Bezugsgebiete sind **gepoolt**, nicht gemittelt: Bei einem Anteil werden die Zähler und die Nenner
aller Kommunen addiert, die für das Quartal geliefert haben, und dann geteilt; ein Median wird über alle
Beobachtungen dieser Kommunen gebildet. Eine große Kommune zählt so mit ihrem Gewicht, und eine Kommune ohne
Lieferung verändert den Bezugswert nicht. Ausnahmen nennt die Definition der Kennzahl (der Umsetzungsstand ist
ein Durchschnitt der Kommunen, die Lieferpünktlichkeit zählt auch Kommunen ohne Lieferung mit). Bei Anzahlen
ist der Wert eines Bezugsgebiets die Summe über seine Kommunen; er wird deshalb nicht als Vergleichsmaßstab
eingezeichnet.
""".strip()

INTERVALS = """
Viele Kennzahlen beruhen auf wenigen Dutzend Fällen je Quartal. Ein Wert von 60 % aus 10 Fällen ist viel
unsicherer als derselbe Wert aus 1.000 Fällen. Deshalb trägt jeder Wert, der auf Zufall beruhen kann, ein
**Konfidenzintervall**: den Bereich, der den „wahren“ Wert mit 95 % (bzw. 99,8 %) Wahrscheinlichkeit enthält.

**Anteile – Wilson-Score-Intervall.** Für einen Anteil *p* aus *n* Fällen und den Quantilwert *z* (1,96 für
95 %, 3,09 für 99,8 %) ist das Intervall Mitte ± halbe Breite, mit Mitte (p + z²/2n) / (1 + z²/n) und halber
Breite z · √(p(1 − p)/n + z²/4n²) / (1 + z²/n). Anders als das einfache Intervall p ± z · √(p(1 − p)/n) bleibt
es auch bei kleinen *n* und bei Anteilen nahe 0 oder 100 % verlässlich und verlässt nie den Bereich 0 bis 100 %.

**Raten – Poisson-Intervall nach Byar, bei kleinen Zahlen exakt.** Für eine Zahl von Ereignissen *k* (etwa
Neuaufnahmen) wird das Intervall der erwarteten Zahl bestimmt und mit demselben Faktor wie die Rate umgerechnet
(z. B. je 100.000 Einwohner). Ab 10 Ereignissen gilt die Näherung nach Byar: untere Grenze
k · (1 − 1/(9k) − z/(3√k))³, obere Grenze (k + 1) · (1 − 1/(9(k + 1)) + z/(3√(k + 1)))³; sie weicht um weit
weniger als 1 % vom exakten Wert ab. Unter 10 Ereignissen wird das exakte Intervall aus der χ²-Verteilung
verwendet (Tabelle `poisson_exakt`).

**Mediane – Intervall über Ordnungsstatistiken.** Für Tage (Wartezeit, Übergangslücke) wird der Median
angegeben und sein Intervall ohne Annahme über die Verteilung: Die *n* Beobachtungen werden sortiert; die
untere Grenze ist die Beobachtung mit dem Rang ⌊n/2 − z√n/2⌋, die obere die mit dem Rang ⌈1 + n/2 + z√n/2⌉
(jeweils auf 1 bis *n* begrenzt). Das passt zu schiefen Verteilungen von Tageszahlen.

**Zeiten bis zu einem Ereignis – Kaplan-Meier.** Bei der Zeit bis zur Integration (und bei Durchlaufzeiten) ist
das Ereignis für viele Fälle noch nicht eingetreten. Diese Fälle gehen bis zum Abschluss oder zum Quartalsende
ein und werden dann **zensiert**, statt wegzufallen. Die Überlebenskurve S(t) – der Anteil noch ohne Ereignis –
ist das Produkt der Faktoren (1 − d/n) über die Ereigniszeiten bis *t* (*d* Ereignisse, *n* Fälle unter
Risiko). Ihre Varianz nach **Greenwood** ist S(t)² · Σ d/(n(n − d)). Das Intervall wird auf der
**Log-Log-Skala** gebildet (θ = ln(−ln S)), damit es im Bereich 0 bis 1 bleibt. Der Median ist die erste
Ereigniszeit mit S(t) < 0,5; sein Intervall (nach Brookmeyer und Crowley) umfasst die Zeiten, deren
Intervall 0,5 enthält. Ist die obere Grenze noch nicht erreicht, bleibt sie offen.

**Vollerhebungen – kein Intervall.** Stellen, Mittel, aktive Fälle oder Fallbelastung sind vollständig gezählt
und haben keinen Zufallsfehler im statistischen Sinn; hier gibt es kein Intervall.
""".strip()

SIGNIFICANCE = """
Eine Kommune gilt gegenüber einem Bezugswert als **besser** oder **schlechter**, wenn ihr 95-%-Intervall den
Bezugswert **nicht enthält**. Liegt der Bezugswert im Intervall, heißt das Ergebnis **ähnlich**: Ein
Unterschied ist mit den vorliegenden Fallzahlen nicht gesichert. Als zweite, strengere Stufe wird dasselbe mit
dem **99,8-%-Intervall** geprüft; ein Unterschied auf dieser Stufe wird verstärkt markiert (✓✓ bzw. ✗✗). Die
strengere Stufe schützt davor, bei vielen gleichzeitigen Vergleichen (54 Kommunen, viele Kennzahlen und
Quartale) zufällige Abweichungen für echte zu halten.

Ob höher besser ist, sagt die **Polarität** der Kennzahl: *höher ist günstiger* (z. B. Zielerreichung),
*niedriger ist günstiger* (z. B. Wartezeit) oder *ohne Wertung* (z. B. Neuaufnahmen). Bei Kennzahlen ohne
Wertung heißt das Ergebnis nur **höher** oder **niedriger**. Grün (mit ✓) steht für günstig, Orange (mit ✗) für
ungünstig, Grau für ähnlich oder ohne Wertung; die Farben sind für Farbenfehlsichtige unterscheidbar, und die
Zeichen und Wörter tragen die Aussage auch ohne Farbe.

Bei **Vollerhebungen ohne Intervall** zählt jeder Unterschied der Werte. Beim **Mittelabfluss** ist ein Wert
nur bis zum linearen Verlauf des Haushaltsjahres (25 % je Quartal) besser; darüber zählt er nicht als besser.
Anzahlen, deren Bezugswert eine Summe über Kommunen ist, werden nur mit dem eigenen Vorjahreswert verglichen.
""".strip()

FUNNEL = """
Ein **Trichterdiagramm** zeigt alle Kommunen für eine Kennzahl und ein Quartal: waagerecht der Nenner (Fälle
oder Einwohner), senkrecht der Wert. In der Mitte liegt der NRW-Wert θ₀. Die Kurven sind **Kontrollgrenzen**:
So weit dürfte der Wert einer Kommune ihrer Größe vom NRW-Wert allein durch Zufall abweichen. Bei kleinen
Kommunen ist der Trichter weit, bei großen eng – so werden 54 sehr unterschiedlich große Kommunen fair beurteilt,
statt die kleinen an den Rändern einer Rangliste zu zeigen. Trichter gibt es für Anteile und Raten mit
Zufallsmodell.

Der Standardfehler einer Kommune unter dem NRW-Wert ist bei Anteilen (in Prozent) √(θ₀(100 − θ₀)/n), bei Raten
√(θ₀ · Faktor / n), mit dem Nenner *n* und dem Faktor der Rate (z. B. 100.000). Oft streuen echte Kommunen
stärker, als der Zufall allein erklärt (**Überdispersion**), etwa weil sich Zielgruppen unterscheiden. Dann
lägen fast alle großen Kommunen außerhalb eines reinen Zufallstrichters. Nach **Spiegelhalter (2005)** wird
deshalb für jedes Quartal geprüft:

1. z-Wert jeder Kommune: (Wert − θ₀) / Standardfehler;
2. die z-Werte werden am 10. und 90. Perzentil **winsorisiert** (Ausreißer auf diese Werte gekürzt), damit
   einzelne Extremwerte die Schätzung nicht bestimmen;
3. der Überdispersionsfaktor **φ** ist der Mittelwert der quadrierten winsorisierten z-Werte (1 = keine
   Überdispersion);
4. ist k · φ größer als k − 1 (k Kommunen), kommt eine **zusätzliche Varianz τ²** = (kφ − (k − 1)) /
   (Σw − Σw²/Σw) mit den Gewichten w = 1/Standardfehler² hinzu, sonst ist τ² = 0;
5. die Grenzen sind θ₀ ± z · √(Standardfehler² + τ²) mit z = 1,96 (95 %) und z = 3,09 (99,8 %).

Eine Kommune **oberhalb** oder **unterhalb** der Grenzen unterscheidet sich deutlich vom Land. Im Trichter der
Rolle Kommune sind andere Kommunen nicht benannt: Er zeigt Lagen, keine Rangfolge.
""".strip()

TRENDS = """
Ob sich eine Kennzahl über die Zeit verändert, wird für jede Reihe mit Werten in **5 aufeinanderfolgenden
Quartalen** getestet – über die letzten 5 Quartale bis zum betrachteten Quartal, mit den Zeitpunkten 1 bis 5, auf
der strengen Stufe **99,8 %**. Der Test passt zum Zufallsmodell des Werts:

- **Anteile:** χ²-Trendtest nach **Cochran und Armitage** – prüft, ob der Anteil linear mit der Zeit steigt
  oder fällt, gewichtet mit der Zahl der Fälle je Quartal;
- **Raten:** χ²-Trendtest für **Poisson-Zählungen** – vergleicht die beobachteten Ereignisse mit den bei
  gleichbleibender Rate erwarteten, gewichtet mit dem Zeitpunkt;
- **Mediane und Kaplan-Meier-Werte:** **Wald-χ²-Test** der Steigung einer gewichteten Regression; die Gewichte
  stammen aus den Konfidenzintervallen (genauere Werte zählen mehr);
- **Vollerhebungen ohne Zufallsmodell** (Stellen, Mittel, aktive Fälle, Verhältnisse): **t-Test** der Steigung
  der Regressionsgeraden über die 5 Werte (Schwelle t² = 104,4 für drei Freiheitsgrade).

Die χ²-Tests haben einen Freiheitsgrad, die Schwelle für 99,8 % ist 9,55. Ergebnis: **steigend**, **fallend**
oder **kein signifikanter Trend**; die Richtung kommt aus dem Vorzeichen der Steigung. Die Polarität sagt, ob
ein Trend **günstig** oder **ungünstig** ist. Reihen mit weniger als 5 Quartalen mit Wert (auch wegen
Geheimhaltung) erhalten keinen Test.
""".strip()

CONFIDENTIALITY = """
Kleine Zahlen könnten auf einzelne Personen schließen lassen. Deshalb gilt **statistische Geheimhaltung**, und
zwar im Warehouse (in der veröffentlichten Datenbank), nicht nur in der Anzeige:

- **Primäre Geheimhaltung.** Eine Anzahl von Personen oder Fällen von **1 bis 4** wird als **„<5“**
  ausgewiesen; beruht ein Wert (etwa eine Rate oder ein Median) auf einer solchen Anzahl, wird er nicht
  gezeigt („k. A. (Anzahl <5)“). Ein Anteil oder Median über **weniger als 10 Fälle** wird mit seinem
  Intervall nicht gezeigt („k. A. (unter 10 Fällen)“).
- **Sekundäre Geheimhaltung („·“).** Wo sich ein verborgener Wert aus anderen zurückrechnen ließe, wird ein
  weiterer Wert gesperrt: Innerhalb einer Kommune ergibt die Summe einer Aufschlüsselung den Gesamtwert, also
  wird die kleinste ausreichend große weitere Zelle gesperrt (oder, wenn es keine gibt, der Gesamtwert). Eine
  verborgene Zahl von Neuaufnahmen ließe sich aus Beständen und Abgängen errechnen; deshalb werden dann auch
  die Abschlüsse des Quartals und die im Jahr aktiven Fälle gesperrt.
- **Bereinigte Vergleichsgebiete („¹“).** NRW, Regierungsbezirke, Typen und Vergleichsgruppen werden in der
  Veröffentlichung nur aus den **sichtbaren** Werten ihrer Kommunen berechnet. Sonst ließe sich eine verborgene
  Kommune als „Gebiet minus sichtbare Kommunen“ zurückrechnen. Ein bereinigter Bezugswert kann deshalb etwas
  vom vollständigen Wert abweichen. Mediane von Gebieten bleiben erhalten, verlieren aber ihre Zähler, wenn
  eine Kommune verborgen ist; Gebiete mit zu kleiner eigener Basis werden wie Kommunen verborgen.
- **Vergleiche, Trends und Trichter** der Veröffentlichung beruhen nur auf den veröffentlichten Werten; ein
  verborgener Wert hat keine Bewertung.
- **Rolle Ministerium.** Das Ministerium sieht alle Werte ohne Geheimhaltung, zusammen mit der Angabe, wie die
  Veröffentlichung sie zeigt. Diese Werte sind nicht zur Weitergabe bestimmt.
""".strip()

SYMBOLS = """
| Zeichen | Bedeutung |
|---|---|
| – | kein Wert (nicht geliefert oder nicht berechenbar) |
| <5 | eine Anzahl von 1 bis 4 |
| k. A. (Anzahl <5) | Wert beruht auf einer Anzahl von 1 bis 4 und wird nicht gezeigt |
| k. A. (unter 10 Fällen) | Anteil oder Median über weniger als 10 Fälle, nicht gezeigt |
| · | gesperrt (sekundäre Geheimhaltung) |
| ¹ | bereinigtes Vergleichsgebiet (ohne verborgene Werte berechnet) |
| ✓ / ✓✓ | besser als der Bezug (95 % / auch 99,8 %) |
| ✗ / ✗✗ | schlechter als der Bezug (95 % / auch 99,8 %) |
| ≈ | ähnlich: kein gesicherter Unterschied |
| ↑ / ↓ | höher / niedriger bei Kennzahlen ohne Wertung |
| ↗ / ↘ / → | steigender / fallender / kein signifikanter Trend über 5 Quartale |
""".strip()

METHOD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Konfidenzintervalle", INTERVALS),
    ("Signifikanz und Polarität", SIGNIFICANCE),
    ("Trichterdiagramme", FUNNEL),
    ("Trendtests", TRENDS),
    ("Statistische Geheimhaltung", CONFIDENTIALITY),
    ("Zeichen und Farben", SYMBOLS),
)
