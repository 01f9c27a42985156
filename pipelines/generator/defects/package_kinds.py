"""Defects of the package as a whole: its manifest, its members, its shape, or the package delivered twice.

All but the notice and the second delivery reject the package (contract 3.2), so they are written as later
corrections that must never replace the accepted clean package.
"""

from __future__ import annotations

from pipelines.contract.findings import Outcome, Rule
from pipelines.generator.defects.model import (
    DefectContext,
    DefectKind,
    Draft,
    Marks,
    Need,
    NotApplicable,
)
from pipelines.generator.defects.rows import number, require
from pipelines.generator.defects.text_tables import render_csv_table
from pipelines.generator.defects.writing import paket_id_of, render_package, zip_bytes
from pipelines.generator.formats import Shape

# The workbook's name depends on the partition; the corpus puts it in for this placeholder.
WORKBOOK_PLACEHOLDER = "{arbeitsmappe}"
SUBFOLDER = "Anlagen"
EXPLANATION_SHEET = "Erläuterungen"


def _without_manifest(draft: Draft, ctx: DefectContext) -> Marks:
    draft.without_manifest = True
    return Marks()


def _manifest_cut_off(draft: Draft, ctx: DefectContext) -> Marks:
    # The upload broke off in the middle of the manifest: the JSON object is never closed.
    draft.manifest_edit = lambda data: data[: len(data) // 2]
    return Marks()


def _manifest_of_another_unit(draft: Draft, ctx: DefectContext) -> Marks:
    # The export template of the neighbouring unit, its AGS never changed.
    others = [unit for unit in ctx.units if unit.ags != ctx.clean.unit.ags]
    neighbour = min(others, key=lambda unit: (abs(unit.index - ctx.clean.unit.index), unit.index))
    draft.manifest["ags"] = neighbour.ags
    return Marks()


def _manifest_of_previous_quarter(draft: Draft, ctx: DefectContext) -> Marks:
    draft.manifest["berichtsquartal"] = str(ctx.clean.quarter.previous())
    return Marks()


def _file_changed_after_manifest(draft: Draft, ctx: DefectContext) -> Marks:
    """A position's occupancy corrected by hand after the manifest was written."""
    personal = draft.table("personal")
    candidates = [
        row
        for row in range(personal.n_rows)
        if 0
        < number(ctx, personal.get(row, "besetzt_vzae"))
        < number(ctx, personal.get(row, "bewilligt_vzae"))
    ]
    (row,) = ctx.pick(candidates)
    personal.set(row, "besetzt_vzae", personal.get(row, "bewilligt_vzae"))
    draft.stale_checksums.add("personal")
    return Marks()


def _listed_file_missing(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("finanzen")
    draft.listed_but_absent.add("finanzen")
    return Marks()


def _mandatory_file_missing(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("ereignisse")
    del draft.tables["ereignisse"]
    return Marks()


def _mandatory_sheet_missing(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("faelle")
    del draft.tables["faelle"]
    return Marks()


def _member_outside_the_package(draft: Draft, ctx: DefectContext) -> Marks:
    # A zip tool stored an older export with a relative path: unpacked, it would land beside the folder.
    faelle = draft.table("faelle")
    draft.extra_members["../faelle.csv"] = render_csv_table(faelle, ctx.clean.unit_format.csv)[0]
    return Marks()


def _member_in_subfolder(draft: Draft, ctx: DefectContext) -> Marks:
    draft.table("strukturthemen")
    draft.member_names["strukturthemen"] = f"{SUBFOLDER}/strukturthemen.csv"
    return Marks()


def _explanation_sheet(draft: Draft, ctx: DefectContext) -> Marks:
    draft.extra_sheets[EXPLANATION_SHEET] = [
        ["Hinweis"],
        ["Export aus dem Fachverfahren zum Quartalsende; Rückfragen bitte an die Koordinierungsstelle."],
    ]
    return Marks()


def _same_package_again(draft: Draft, ctx: DefectContext) -> Marks:
    """The clean package once more in the other place: both are accepted, the partition holds one of them.

    Both have the same `erstellt_am`, so the pipeline breaks the tie by the larger `paket_id`. Only partitions
    where that is the clean package are used, so the data of the defect run stays identical to the clean run
    down to the lineage column `paket_id`.
    """
    clean = ctx.clean
    if clean.written.shape is Shape.FOLDER_XLSX:
        raise NotApplicable("eine Arbeitsmappe kann nicht als ZIP-Paket geliefert werden")
    draft.copy_of_clean = True
    rendered = render_package(clean, draft, clean.written.created)
    copy_id = paket_id_of(draft.shape, rendered.members, zip_bytes(rendered, clean.written.created))
    clean_zip = clean.path.read_bytes() if clean.written.shape is Shape.ZIP_CSV else None
    clean_id = paket_id_of(clean.written.shape, list(clean.members.items()), clean_zip)
    require(clean_id > copy_id, "die Kopie gewönne den Gleichstand nach paket_id")
    return Marks()


PACKAGE_KINDS = (
    DefectKind(
        id="XLSX_PFLICHTBLATT_FEHLT",
        description="Arbeitsmappe ohne das Pflichtblatt „faelle“: die Fälle fehlen im Paket.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANDATORY_FILE_MISSING,),
        file="faelle.csv",
        make=_mandatory_sheet_missing,
        need=Need.XLSX,
    ),
    DefectKind(
        id="XLSX_BLATT_UNBEKANNT",
        description=f"Arbeitsmappe mit einem zusätzlichen Blatt „{EXPLANATION_SHEET}“, das nicht zum Datenvertrag "
        "gehört; es wird mit einem Hinweis übergangen.",
        outcome=Outcome.NOTICE,
        rules=(Rule.UNKNOWN_SHEET,),
        file=WORKBOOK_PLACEHOLDER,
        make=_explanation_sheet,
        need=Need.XLSX,
    ),
    DefectKind(
        id="ZIP_PFAD_AUSSERHALB",
        description="ZIP-Archiv mit dem zusätzlichen Eintrag „../faelle.csv“, der beim Entpacken außerhalb des "
        "Paketordners landen würde.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.PACKAGE_LAYOUT,),
        file="../faelle.csv",
        make=_member_outside_the_package,
        need=Need.ZIP,
    ),
    DefectKind(
        id="ZIP_UNTERORDNER",
        description=f"ZIP-Archiv, in dem strukturthemen.csv im Unterordner „{SUBFOLDER}/“ liegt statt auf der "
        "obersten Ebene.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.PACKAGE_LAYOUT,),
        file=f"{SUBFOLDER}/strukturthemen.csv",
        make=_member_in_subfolder,
        need=Need.ZIP,
    ),
    DefectKind(
        id="PAKET_DOPPELT_IDENTISCH",
        description="Dasselbe Paket ein zweites Mal geliefert (gleiches Manifest, gleiche Dateien, andere "
        "Paketform): beide werden angenommen, die Daten der Partition bleiben dieselben.",
        outcome=None,
        rules=(),
        file=None,
        make=_same_package_again,
        need=Need.COPY,
    ),
    DefectKind(
        id="MANIFEST_FEHLT",
        description="Paket ohne manifest.json.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANIFEST_MISSING,),
        file=None,
        make=_without_manifest,
    ),
    DefectKind(
        id="MANIFEST_KEIN_JSON",
        description="manifest.json bricht mitten im JSON-Objekt ab (Übertragung abgebrochen).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANIFEST_INVALID,),
        file=None,
        make=_manifest_cut_off,
    ),
    DefectKind(
        id="MANIFEST_AGS_FREMD",
        description="manifest.json nennt den Gemeindeschlüssel einer Nachbarkommune statt der liefernden "
        "Kommune.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANIFEST_AGS,),
        file=None,
        make=_manifest_of_another_unit,
    ),
    DefectKind(
        id="MANIFEST_QUARTAL_FALSCH",
        description="manifest.json nennt das Vorquartal statt des Quartals, unter dem das Paket liegt.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANIFEST_QUARTER,),
        file=None,
        make=_manifest_of_previous_quarter,
    ),
    DefectKind(
        id="MANIFEST_PRUEFSUMME_FALSCH",
        description="personal.csv wurde nach dem Erstellen des Manifests von Hand geändert; die Prüfsumme im "
        "Manifest passt nicht mehr.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.CHECKSUM,),
        file="personal.csv",
        make=_file_changed_after_manifest,
    ),
    DefectKind(
        id="MANIFEST_DATEI_FEHLT",
        description="manifest.json führt finanzen.csv mit Prüfsumme auf, die Datei fehlt aber im Paket.",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.LISTED_FILE_MISSING,),
        file="finanzen.csv",
        make=_listed_file_missing,
    ),
    DefectKind(
        id="PFLICHTDATEI_FEHLT",
        description="Paket ohne die Pflichtdatei ereignisse.csv (auch im Manifest nicht aufgeführt).",
        outcome=Outcome.PACKAGE_REJECTED,
        rules=(Rule.MANDATORY_FILE_MISSING,),
        file="ereignisse.csv",
        make=_mandatory_file_missing,
    ),
)
