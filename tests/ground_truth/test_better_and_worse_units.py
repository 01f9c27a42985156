"""Units the generator made better or worse than NRW are labelled so, as often as the test's power allows,
and hardly ever the wrong way round.

K07 (Nahtlose Übergänge) is a share with a known truth per unit (`uebergang_nahtlos_anteil`): every
transition is seamless with that probability, independently. For each unit and quarter the warehouse labels
the unit `besser` / `schlechter` than NRW when its Wilson interval excludes the NRW value. Given the unit's
number of transitions, the exact binomial probability of that label (its power) follows from the truth, so
the number of right labels must reach the 0.1 % quantile of their Poisson-binomial distribution, and the
number of labels on the wrong side must stay below the 99.9 % quantile of theirs (at most about α/2 each).
Swapped polarity, a wrong reference or intervals too narrow or too wide fail these tests.
"""

from __future__ import annotations

import pytest
from truth_statistics import (
    poisson_binomial_lower_bound,
    poisson_binomial_upper_bound,
    wilson_detection_probability,
    wilson_wrong_side_probability,
)

LEVELS = {"95": 1.959963984540054, "998": 3.090232306167813}


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_units_truly_better_or_worse_than_nrw_are_classified_so(ground_truth_run, level):
    truth = ground_truth_run.unit_truth("uebergang_nahtlos_anteil")
    rows = ground_truth_run.query(
        f"select gebiet, quartal, referenzwert, bewertung_{level} as bewertung, w.nenner "
        "from marts.kpi_vergleiche as v "
        "inner join marts.kpi_werte as w using (kpi_id, gebiet, quartal, aufschluesselung) "
        "where v.kpi_id = 'K07' and v.aufschluesselung = '' and v.referenzebene = 'land' "
        "and w.nenner >= 1 and v.referenzwert is not null"
    )
    assert len(rows) >= 50, "too few unit quarters with transitions to test anything"
    z = LEVELS[level]
    power, wrong_side, right, wrong = [], [], 0, 0
    for row in rows.itertuples(index=False):
        p_true, reference, n = truth[row.gebiet], row.referenzwert / 100, int(row.nenner)
        power.append(wilson_detection_probability(p_true, n, reference, z))
        wrong_side.append(wilson_wrong_side_probability(p_true, n, reference, z))
        better = p_true > reference
        right += row.bewertung == ("besser" if better else "schlechter")
        wrong += row.bewertung == ("schlechter" if better else "besser")
    report = (
        f"K07 gegen NRW ({level}): {len(rows)} Vergleiche, richtig erkannt {right} "
        f"(erwartet {sum(power):.1f}, Untergrenze {poisson_binomial_lower_bound(power):.1f}), "
        f"falsche Richtung {wrong} (erwartet {sum(wrong_side):.2f}, "
        f"Obergrenze {poisson_binomial_upper_bound(wrong_side):.1f})"
    )
    print(report)
    assert right >= poisson_binomial_lower_bound(power), report
    assert wrong <= poisson_binomial_upper_bound(wrong_side), report
