"""The role of the dashboard process (`KIM_ROLLE`): which snapshot it reads and what it may show."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboards.lib import roles, warehouse
from pipelines.config import Settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "kommune"),
        ("", "kommune"),
        ("kommune", "kommune"),
        ("ministerium", "ministerium"),
        (" Ministerium ", "ministerium"),
    ],
)
def test_the_role_comes_from_kim_rolle(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(roles.ROLE_ENV_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, value)
    setting = roles.current_role()
    assert setting.role.code == expected
    assert setting.problem is None


def test_an_unknown_role_falls_back_to_the_published_layer_and_says_so(monkeypatch):
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, "admin")
    setting = roles.current_role()
    assert setting.role is roles.KOMMUNE
    assert "KIM_ROLLE" in setting.problem and "„admin“" in setting.problem
    assert "`kommune`" in setting.problem and "`ministerium`" in setting.problem


def test_only_the_ministry_reads_the_unsuppressed_snapshot_and_may_rank(monkeypatch, tmp_path):
    settings = Settings.under(tmp_path, date(2026, 3, 1))
    assert roles.snapshot_path(settings, roles.KOMMUNE) == settings.published_db
    assert roles.snapshot_path(settings, roles.MINISTERIUM) == settings.ministry_db
    assert not roles.KOMMUNE.may_rank_units and roles.MINISTERIUM.may_rank_units
    assert not roles.KOMMUNE.sees_unsuppressed and roles.MINISTERIUM.sees_unsuppressed

    monkeypatch.setenv("KIM_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, "ministerium")
    assert warehouse.published_path() == Path(tmp_path).resolve() / "kim_ministerium.duckdb"
    monkeypatch.setenv(roles.ROLE_ENV_VARIABLE, "kommune")
    assert warehouse.published_path() == Path(tmp_path).resolve() / "kim.duckdb"
