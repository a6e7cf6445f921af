"""Hypothesis strategies: small scenarios, valid and (sometimes) invalid."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["scenario_data", "maybe_broken_scenario_data"]

durations = st.sampled_from(["30s", "2m", "5m", "15m", "1h"])
dists = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, durations),
    st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, durations, st.sampled_from([0.3, 1.0, 2.0])),
    st.builds(lambda m: {"dist": "deterministic", "value": m}, durations),
)


@st.composite
def scenario_data(draw) -> dict:
    """A valid small scenario: 1-3 channels, 1-2 pools, maybe support hours and patience."""
    names = draw(st.lists(st.sampled_from(["twitter", "facebook", "phone", "chat", "email"]),
                          min_size=1, max_size=3, unique=True))
    channels = {}
    for name in names:
        ch = {
            "public": name in ("twitter", "facebook"),
            "sla": draw(st.sampled_from(["20s", "1h", "4h"])),
            "first_response": draw(st.sampled_from(["pickup", "reply"])),
            "handle_time": draw(dists),
            "concurrency": draw(st.integers(1, 3)),
            "arrivals": {"per_hour": draw(st.floats(0, 40))},
            "support_hours": draw(st.sampled_from(["24/7", "daily 08:00-20:00", "weekdays_9_17"])),
        }
        if draw(st.booleans()):
            ch["patience"] = draw(dists)
        channels[name] = ch
    pools = {}
    for i in range(draw(st.integers(1, 2))):
        skills = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        pools[f"pool{i}"] = {"agents": draw(st.integers(0, 6)), "channels": skills}
    return {
        "name": "generated", "horizon": draw(st.sampled_from(["6h", "1d"])), "seed": draw(st.integers(0, 99)),
        "channels": channels, "pools": pools, "report": {"bin": "1h"},
    }


@st.composite
def maybe_broken_scenario_data(draw) -> dict:
    """A scenario that may have one field broken in a way a user might break it."""
    data = draw(scenario_data())
    breakage = draw(st.sampled_from(["none", "duration", "unknown_key", "negative", "bad_channel", "bad_dist"]))
    ch = next(iter(data["channels"].values()))
    if breakage == "duration":
        ch["sla"] = "soon"
    elif breakage == "unknown_key":
        ch["slaa"] = "1h"
    elif breakage == "negative":
        ch["arrivals"]["per_hour"] = -5
    elif breakage == "bad_channel":
        next(iter(data["pools"].values()))["channels"].append("fax")
    elif breakage == "bad_dist":
        ch["handle_time"] = {"dist": "weibull", "mean": "5m"}
    return data
