"""Peer groups are the 7 structurally nearest units, recomputed here from the reference data with scipy."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from scipy.stats import zscore

from pipelines.config import SEEDS_DIR

KREISFREI_TYPES = {"kreisfreie_stadt", "kreisangehoerige_stadt_mit_ki"}


def _expected_peers() -> dict[str, list[str]]:
    units = (
        pd.read_csv(SEEDS_DIR / "kommunen.csv", dtype={"ags": str}).sort_values("ags").reset_index(drop=True)
    )
    # the area a unit serves: without units with their own KI inside it (the city of Aachen in the Städteregion)
    area = units.flaeche_km2.copy()
    for i, ags in enumerate(units.ags):
        inside = units.ags.str.startswith(ags) & (units.ags != ags)
        area[i] -= units.flaeche_km2[inside].sum()
    features = np.column_stack(
        [
            np.log(units.einwohner_zustaendig),
            np.log(units.einwohner_zustaendig / area),
            units.typ.isin(KREISFREI_TYPES).astype(float),
        ]
    )
    distances = cdist(zscore(features, axis=0), zscore(features, axis=0))
    peers = {}
    for i, ags in enumerate(units.ags):
        order = sorted((round(distances[i, j], 9), other) for j, other in enumerate(units.ags) if j != i)
        peers[ags] = [other for _, other in order[:7]]
    return peers


def test_peer_groups_are_the_seven_nearest_units(published_warehouse):
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        rows = con.execute("select ags, peer_ags from marts.peergruppen order by ags, rang").fetchall()
    published: dict[str, list[str]] = {}
    for ags, peer in rows:
        published.setdefault(ags, []).append(peer)
    assert published == _expected_peers()


def test_every_unit_has_its_peer_group_as_a_reference_area(published_warehouse):
    with duckdb.connect(str(published_warehouse.published_db), read_only=True) as con:
        groups = con.execute(
            "select bezugskommune, anzahl_kommunen from marts.gebiete where gebietsebene = 'peergruppe'"
        ).fetchall()
    assert len(groups) == 54 and all(count == 7 for _, count in groups)
