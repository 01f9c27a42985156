"""A unit's behaviour, drawn once from the seed: the parameters every part of the simulation follows.

Units differ like real ones: staff ramp-up and vacancies, caseload, waiting times, time to integration,
benefit-transition gaps, when their Lenkungsgruppe was constituted, how punctually they deliver. The profile
is the unit's ground truth.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.generator.case_process import CaseProcess
from pipelines.generator.cases import CASE_ID_STYLES, PERSON_ID_STYLES, CasePlan
from pipelines.generator.delivery import DeliveryBehaviour, draw_delivery_behaviour
from pipelines.generator.funding import FundingPlan, draw_funding_plan
from pipelines.generator.randomness import Stream, pick_one, unit_rng
from pipelines.generator.reference import Unit
from pipelines.generator.residence import ResidencePlan, draw_residence_plan
from pipelines.generator.staffing import StaffingPlan, draw_staffing_plan
from pipelines.generator.steering import SteeringPlan, draw_steering_plan

CASE_ID_PREFIXES = ("K", "F", "CM", "KIM")


@dataclass(frozen=True)
class UnitProfile:
    unit: Unit
    cases: CasePlan
    staffing: StaffingPlan
    steering: SteeringPlan
    funding: FundingPlan
    residence: ResidencePlan
    delivery: DeliveryBehaviour
    late_event_share: float  # events reported one package late
    contact: str


def _contact(unit: Unit) -> str:
    """A functional (non-personal) mailbox of the unit's KI under a reserved example domain."""
    ascii_name = unicodedata.normalize(
        "NFKD", unit.name.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"ki@{slug}.example"


def draw_case_process(rng) -> CaseProcess:
    return CaseProcess(
        integration_median_days=round(float(rng.uniform(150, 450)), 1),
        integration_sigma=float(rng.uniform(0.6, 0.9)),
        never_integrating_share=round(float(rng.uniform(0.03, 0.15)), 3),
        competing_rate_per_day=1.0 / float(rng.uniform(250, 900)),
        competing_weights=tuple(
            float(rng.uniform(low, high))
            for low, high in ((0.2, 0.35), (0.25, 0.45), (0.15, 0.3), (0.1, 0.2))
        ),
        handover_share=float(rng.uniform(0.3, 0.6)),
        waiting_median_days=int(rng.integers(7, 61)) + 0.5,
        waiting_sigma=float(rng.uniform(0.6, 1.0)),
        seamless_share=round(float(rng.uniform(0.2, 0.7)), 3),
        overlap_share=float(rng.uniform(0.1, 0.35)),
        positive_gap_median_days=float(rng.uniform(5, 45)),
        positive_gap_sigma=float(rng.uniform(0.6, 1.0)),
    )


def draw_profile(seed: int, unit: Unit) -> UnitProfile:
    rng = unit_rng(seed, unit.index, Stream.PROFILE)
    staffing = draw_staffing_plan(rng, unit)
    cases = CasePlan(
        process=draw_case_process(rng),
        caseload_target=round(float(rng.uniform(32, 60)), 1),
        traeger_weights=staffing.cm_traeger_weights,
        returning_share=float(rng.uniform(0.03, 0.10)),
        case_id_style=pick_one(rng, CASE_ID_STYLES),
        case_id_prefix=pick_one(rng, CASE_ID_PREFIXES),
        person_id_style=pick_one(rng, PERSON_ID_STYLES),
        id_salt=int(rng.integers(1, 2**30)),
    )
    return UnitProfile(
        unit=unit,
        cases=cases,
        staffing=staffing,
        steering=draw_steering_plan(rng, unit),
        funding=draw_funding_plan(rng),
        residence=draw_residence_plan(rng),
        delivery=draw_delivery_behaviour(rng),
        late_event_share=float(rng.uniform(0.01, 0.05)),
        contact=_contact(unit),
    )
