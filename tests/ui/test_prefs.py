"""The settings panel's values: as-of date, model, watchlist."""

from __future__ import annotations

from datetime import date

from ui.prefs import Prefs, parse_prefs

MODELS = ("offline", "endpoint")


def test_values_are_parsed() -> None:
    prefs = parse_prefs(
        {"as_of": " 2013-02-28 ", "model": "endpoint", "watchlist": "aapl, MSFT;ibm,,aapl"},
        models=MODELS,
        default_model="offline",
    )
    assert prefs == Prefs(date(2013, 2, 28), "endpoint", ("AAPL", "MSFT", "IBM"))
    assert prefs.as_values() == {
        "as_of": "2013-02-28",
        "model": "endpoint",
        "watchlist": "AAPL, MSFT, IBM",
    }


def test_empty_panel_means_today_and_the_default_model() -> None:
    for values in (None, {}, {"as_of": "", "model": None, "watchlist": ""}):
        assert parse_prefs(values, models=MODELS, default_model="offline") == Prefs(
            None, "offline", ()
        )


def test_bad_values_fall_back_and_say_why() -> None:
    prefs = parse_prefs(
        {"as_of": "28/02/2013", "model": "gpt-9"}, models=MODELS, default_model="offline"
    )
    assert prefs.as_of is None and prefs.model == "offline"
    assert prefs.problem is not None and "'28/02/2013' is not a date" in prefs.problem
