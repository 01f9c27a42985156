"""How a package may arrive: a folder of CSV files, a ZIP archive of them, or a folder with one workbook."""

from __future__ import annotations

from enum import StrEnum


class PackageShape(StrEnum):
    """How a package arrived (`raw.lieferungen.paketform`)."""

    ORDNER_CSV = "ORDNER_CSV"
    ZIP_CSV = "ZIP_CSV"
    ORDNER_XLSX = "ORDNER_XLSX"


# German names of the shapes, for reports and pages.
PACKAGE_SHAPE_LABELS = {
    PackageShape.ORDNER_CSV: "Ordner mit CSV-Dateien",
    PackageShape.ZIP_CSV: "ZIP-Archiv mit CSV-Dateien",
    PackageShape.ORDNER_XLSX: "Ordner mit Excel-Arbeitsmappe",
}
