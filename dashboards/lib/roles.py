"""Who is looking: the role of the dashboard process (`KIM_ROLLE`) and the snapshot it may read.

The role is a property of the process, not of a login: an operator starts one dashboard for the KI leads
(`kommune`, the default) on the published snapshot `kim.duckdb`, whose small numbers are kept secret in dbt,
and, where the ministry needs it, a second one with `KIM_ROLLE=ministerium` on `kim_ministerium.duckdb`, which
holds every value unsuppressed. The dashboards never suppress anything themselves; they only show which
snapshot they read and mark what it keeps secret. An unknown value falls back to the less privileged role
and says so, so a typo never opens the unsuppressed data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Settings

ROLE_ENV_VARIABLE = "KIM_ROLLE"


@dataclass(frozen=True)
class Role:
    """A role of the dashboards and what it may see."""

    code: str
    label: str
    description: str
    sees_unsuppressed: bool
    may_rank_units: bool


KOMMUNE = Role(
    code="kommune",
    label="Kommune",
    description=(
        "Leitungen der Kommunalen Integrationszentren und Analysen: veröffentlichte Werte mit statistischer "
        "Geheimhaltung, ohne Rangfolge der Kommunen."
    ),
    sees_unsuppressed=False,
    may_rank_units=False,
)
MINISTERIUM = Role(
    code="ministerium",
    label="Ministerium",
    description=(
        "Alle Werte ohne statistische Geheimhaltung und Rangfolgen der Kommunen; nur für den Dienstgebrauch, "
        "nicht zur Weitergabe bestimmt."
    ),
    sees_unsuppressed=True,
    may_rank_units=True,
)
ROLES = {role.code: role for role in (KOMMUNE, MINISTERIUM)}
DEFAULT_ROLE = KOMMUNE


@dataclass(frozen=True)
class RoleSetting:
    """The role in force and, if `KIM_ROLLE` held an unknown value, the German message that says so."""

    role: Role
    problem: str | None = None


def current_role() -> RoleSetting:
    """The role from `KIM_ROLLE` (read on every call, so tests can change it); case and surrounding spaces do
    not matter; unset or empty means `kommune`."""
    raw = os.environ.get(ROLE_ENV_VARIABLE, "")
    code = raw.strip().lower()
    if not code:
        return RoleSetting(DEFAULT_ROLE)
    if code in ROLES:
        return RoleSetting(ROLES[code])
    allowed = " oder ".join(f"`{value}`" for value in ROLES)
    return RoleSetting(
        DEFAULT_ROLE,
        problem=(
            f"Die Umgebungsvariable `{ROLE_ENV_VARIABLE}` hat den unbekannten Wert „{raw}“. Erlaubt sind "
            f"{allowed}. Das Dashboard zeigt deshalb die Rolle „{DEFAULT_ROLE.label}“ mit den "
            "veröffentlichten, geheim gehaltenen Werten."
        ),
    )


def snapshot_path(settings: Settings, role: Role) -> Path:
    """The published snapshot the role reads: `kim_ministerium.duckdb` for the ministry, else `kim.duckdb`."""
    return settings.ministry_db if role.sees_unsuppressed else settings.published_db
