"""The roulette's ranking: each factor ranks the better consultant first; weights shift fairness."""

from __future__ import annotations

import pytest

from assignment import roulette


def _cand(uid: int, **kw) -> roulette.Candidate:
    base = {
        "user_id": uid,
        "name": f"c{uid}",
        "property_types": [],
        "price_min": None,
        "price_max": None,
        "regions": [],
        "languages": ["pt"],
        "open_leads": 0,
        "max_open_leads": 50,
        "new_today": 0,
        "weight": 1.0,
        "sla_debt": 0,
        "online": True,
    }
    return roulette.Candidate(**{**base, **kw})


LEAD = roulette.LeadFacts(lead_id=1, interest_type="apartment", budget=800_000, state="SP", city="Campinas")


# --- each ranking factor (the pure ranking) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"property_types": ["apartment"]}, {"property_types": ["land"]}),
        ({"price_min": 500_000, "price_max": 1_000_000}, {"price_min": 1_500_000, "price_max": 3_000_000}),
        ({"regions": ["Campinas"]}, {"regions": ["RJ"]}),
        ({"languages": ["pt", "en"]}, {"languages": ["en"]}),
        ({"conversion": {"apartment": (8, 10)}}, {"conversion": {"apartment": (1, 10)}}),
        ({"open_leads": 5}, {"open_leads": 45}),
        ({"sla_debt": 0}, {"sla_debt": 4}),
        ({"new_today": 2}, {"new_today": 6}),
        ({"online": True}, {"online": False}),
    ],
)
def test_each_factor_ranks_the_better_consultant_first(better, worse):
    ranked = roulette.rank(LEAD, [_cand(2, **worse), _cand(1, **better)])
    assert [r.user_id for r in ranked] == [1, 2]
    assert ranked[0].total > ranked[1].total
    assert set(ranked[0].factors) >= {"compatibility", "workload", "fairness", "conversion"}


def test_weights_shift_fairness():
    heavy, light = _cand(1, weight=2.0, new_today=4), _cand(2, weight=1.0, new_today=2)
    ranked = roulette.rank(LEAD, [light, heavy])
    assert ranked[0].factors["fairness"] == ranked[1].factors["fairness"] == 1.0  # 4/2 == 2/1: both at their share
