"""Boundaries of the 54 KIM units for the map: where the GeoJSON lives and how it is read.

The file (BKG geometry under dl-de/by-2-0) is reference data outside the repository: `KIM_GEOJSON` names it,
otherwise the shared reference folder next to the repository is used. It is never copied into the project.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from pipelines.config import REPO_ROOT

GEOJSON_ENV_VARIABLE = "KIM_GEOJSON"
DEFAULT_GEOJSON = REPO_ROOT.parent / "shared" / "data" / "nrw_kim54.geojson"
FEATURE_ID_PROPERTY = "AGS"
ATTRIBUTION = (
    "Geometrie: © GeoBasis-DE / BKG 2013 (Daten verändert), "
    "Datenlizenz Deutschland – Namensnennung – Version 2.0"
)


class GeometryError(ValueError):
    """The GeoJSON file exists but cannot be used; the message is German and names the file."""


@dataclass(frozen=True)
class GeometrySource:
    """The GeoJSON file to use and whether an operator chose it explicitly (`KIM_GEOJSON`)."""

    path: Path
    configured: bool


def geometry_source() -> GeometrySource | None:
    """The configured GeoJSON file (even if missing, so the page can say so), else the shared default if it
    exists, else None (the map is skipped)."""
    configured = os.environ.get(GEOJSON_ENV_VARIABLE)
    if configured:
        return GeometrySource(Path(configured).expanduser(), configured=True)
    if DEFAULT_GEOJSON.is_file():
        return GeometrySource(DEFAULT_GEOJSON, configured=False)
    return None


def load_unit_geometry(path: Path) -> dict[str, Any]:
    """Read and check the GeoJSON: a FeatureCollection whose features carry the unit's AGS."""
    status = path.stat()
    return _load_checked(str(path), status.st_mtime_ns)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_checked(path: str, mtime_ns: int) -> dict[str, Any]:
    """Cached per file version; the returned mapping is shared and must not be modified."""
    try:
        with open(path, encoding="utf-8") as handle:
            collection = json.load(handle)
    except json.JSONDecodeError as error:
        raise GeometryError(
            f"Die Kartendatei {path} ist kein gültiges JSON (Zeile {error.lineno}, Spalte {error.colno}: "
            f"{error.msg})."
        ) from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise GeometryError(f"Die Kartendatei {path} ist keine GeoJSON-FeatureCollection.")
    unnamed = [
        index
        for index, feature in enumerate(collection.get("features", []))
        if not (feature.get("properties") or {}).get(FEATURE_ID_PROPERTY)
    ]
    if unnamed:
        raise GeometryError(
            f"In der Kartendatei {path} fehlt bei {len(unnamed)} Fläche(n) die Eigenschaft "
            f"„{FEATURE_ID_PROPERTY}“ (erste: Feature Nr. {unnamed[0] + 1})."
        )
    return collection


def feature_ids(collection: dict[str, Any]) -> set[str]:
    """The AGS of every area in the collection."""
    return {feature["properties"][FEATURE_ID_PROPERTY] for feature in collection["features"]}
