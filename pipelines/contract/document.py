"""The data contract for municipalities, in German, rendered from the contract's own declarations.

`docs/datenvertrag.md` is this rendering (`make datenvertrag` writes it; a test keeps it current): the files and
columns of `schema.py`, the code lists and the rules of the dbt seeds, the limits of the contract. A KI lead
reads there what to deliver; nothing in it is written by hand, so it cannot drift from what the pipeline checks.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.calendar import DELIVERY_DEADLINE_DAYS
from pipelines.config import REPO_ROOT, SEEDS_DIR
from pipelines.contract.codes import code_lists
from pipelines.contract.headers import IDENTIFIER_COLUMNS
from pipelines.contract.schema import (
    CONTRACT_FILES,
    CONTRACT_VERSION,
    MANIFEST_FIELDS,
    MANIFEST_FILENAME,
    MAX_INVALID_SHARE,
    Column,
    ContractFile,
)

CONTRACT_DOCUMENT = REPO_ROOT / "docs" / "datenvertrag.md"
KIND_LABELS = {
    "text": "Text",
    "code": "Code",
    "codes": "Codes, mit `|` getrennt",
    "date": "Datum (`TT.MM.JJJJ` oder `JJJJ-MM-TT`)",
    "month": "Monat (`MM.JJJJ` oder `JJJJ-MM`)",
    "int": "ganze Zahl",
    "decimal": "Dezimalzahl (Komma oder Punkt)",
}
SEMANTICS_LABELS = {
    "snapshot": "Stand am Quartalsende: jede Lieferung enthält den vollständigen aktuellen Stand",
    "append": "Ereignisse des Quartals: jede Lieferung enthält die neuen Zeilen",
    "aggregate": "Quartalssummen",
}
# Code lists too long to print: how they are described instead.
LONG_LISTS = {
    "staatsangehoerigkeit": "ISO-3166-1-alpha-3-Codes (z. B. `SYR`, `UKR`), `XXA` staatenlos, `XXX` ungeklärt",
}


def _seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _column_row(column: Column) -> str:
    notes = []
    if column.code_list:
        notes.append(f"Codeliste [`{column.code_list}`](#codeliste-{column.code_list})")
    if column.max_length:
        notes.append(f"höchstens {column.max_length} Zeichen")
    if column.pseudonym:
        notes.append("Pseudonym Ihres Fachverfahrens (wird beim Eingang erneut verschlüsselt)")
    required = "ja" if column.required else "nein (darf leer sein)"
    return f"| `{column.name}` | {KIND_LABELS[column.kind]} | {required} | {'; '.join(notes) or '–'} |"


def _file_section(file: ContractFile) -> list[str]:
    lines = [
        f"### `{file.filename}`",
        "",
        f"- {'Pflichtdatei' if file.mandatory else 'optionale Datei'}; eine Zeile ist {file.grain}.",
        f"- {SEMANTICS_LABELS[file.semantics]}.",
    ]
    if len(file.natural_key) == 1:
        lines.append(f"- Jeder Wert von `{file.natural_key[0]}` darf in der Datei nur einmal vorkommen.")
    elif file.natural_key:
        key = ", ".join(f"`{name}`" for name in file.natural_key)
        lines.append(f"- Jede Kombination von {key} darf in der Datei nur einmal vorkommen.")
    lines += ["", "| Spalte | Typ | Pflicht | Hinweis |", "|---|---|---|---|"]
    lines += [_column_row(column) for column in file.columns]
    return [*lines, ""]


def _code_list_sections() -> list[str]:
    labels: dict[str, list[tuple[str, str]]] = {}
    for row in _seed("codelisten"):
        labels.setdefault(row["codeliste"], []).append((row["code"], row["bezeichnung"]))
    used = sorted(
        {column.code_list for file in CONTRACT_FILES.values() for column in file.columns if column.code_list}
    )
    lines = []
    for name in used:
        lines += [f"### Codeliste `{name}`", ""]
        if name in LONG_LISTS:
            lines += [f"{LONG_LISTS[name]}; {len(code_lists()[name])} Codes.", ""]
            continue
        lines += ["| Code | Bedeutung |", "|---|---|"]
        lines += [f"| `{code}` | {label} |" for code, label in labels[name]]
        lines.append("")
    return lines


def _rule_section() -> list[str]:
    rules = sorted(_seed("regeln"), key=lambda row: int(row["sortierung"]))
    lines = ["| Regel | Ebene | Bedeutung |", "|---|---|---|"]
    lines += [
        f"| `{row['regel']}` – {row['titel']} | {row['klasse']} | {row['erklaerung']} |" for row in rules
    ]
    return [*lines, ""]


def render_contract() -> str:
    """The whole contract for municipalities as Markdown (German)."""
    files = list(CONTRACT_FILES.values())
    mandatory = ", ".join(f"`{file.filename}`" for file in files if file.mandatory)
    optional = ", ".join(f"`{file.filename}`" for file in files if not file.mandatory)
    lines = [
        f"# Datenvertrag KIM-Monitor für die Kommunen (Version {CONTRACT_VERSION})",
        "",
        "Dieses Dokument wird aus den Festlegungen des KIM-Monitors erzeugt, mit denen jede Lieferung geprüft "
        "wird (`make datenvertrag`); es ist damit immer der Stand, nach dem geprüft wird.",
        "",
        "## Lieferung",
        "",
        "- Jede KIM-Kommune liefert je Berichtsquartal ein Paket: einen Ordner mit CSV-Dateien, dasselbe als "
        "ZIP-Archiv oder einen Ordner mit einer Excel-Arbeitsmappe (ein Tabellenblatt je Datei), jeweils mit "
        f"`{MANIFEST_FILENAME}`.",
        f"- Frist: {DELIVERY_DEADLINE_DAYS} Tage nach Quartalsende. Eine spätere Korrekturlieferung (jüngeres "
        "`erstellt_am` im Manifest) ersetzt die frühere vollständig; eine abgelehnte Lieferung ändert nichts.",
        "- CSV-Dateien: UTF-8 (mit oder ohne BOM) oder Windows-1252, Trennzeichen Semikolon oder Komma, erste "
        "Zeile mit den Spaltennamen.",
        f"- Pflichtdateien: {mandatory}; optionale Dateien: {optional}.",
        "- Angaben, die eine Person unmittelbar erkennbar machen, dürfen nicht geliefert werden; ein Paket mit "
        "einer dieser Spalten wird abgelehnt (Groß- und Kleinschreibung, Umlaute und Trennzeichen im "
        "Spaltennamen zählen nicht): " + ", ".join(f"`{name}`" for name in sorted(IDENTIFIER_COLUMNS)) + ".",
        f"- Zeilen, die eine Regel verletzen, werden zurückgehalten (Quarantäne) und im Lieferbericht mit "
        f"Zeile, Spalte und Grund genannt. Sind mehr als {_percent(MAX_INVALID_SHARE)} der Zeilen einer Datei "
        "ungültig, wird das ganze Paket abgelehnt.",
        "",
        f"## Manifest (`{MANIFEST_FILENAME}`)",
        "",
        "Pflichtangaben: " + ", ".join(f"`{field}`" for field in MANIFEST_FIELDS) + ".",
        "",
        "## Dateien und Spalten",
        "",
    ]
    for file in files:
        lines += _file_section(file)
    lines += ["## Codelisten", ""]
    lines += _code_list_sections()
    lines += ["## Prüfregeln", "", "Jeder Befund im Lieferbericht nennt eine dieser Regeln.", ""]
    lines += _rule_section()
    return "\n".join(lines).rstrip() + "\n"


def write_contract(path: Path = CONTRACT_DOCUMENT) -> Path:
    """Write the rendering to `docs/datenvertrag.md` (or `path`)."""
    path.write_text(render_contract(), encoding="utf-8")
    return path
