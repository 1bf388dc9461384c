"""Declines: the first sentence declines and says why, then what can be done instead."""

from __future__ import annotations

import re
from datetime import date

import pytest

from agent.declines import capabilities_text, decline_text, future_limit
from agent.request import Decline
from core import asof
from tests.agent.test_request_followups import parse

KNOWN = ("AAPL", "MSFT", "IBM")


@pytest.mark.parametrize(
    ("decline", "first", "instead"),
    [
        (Decline(reason="bad_level", detail="150%"), "I can't compute a VaR at 150%", "99%"),
        (Decline(reason="exact_price"), "I won't forecast an exact price for MSFT", "probability"),
        (Decline(reason="what_to_buy"), "I won't tell you exactly what to buy", "Should I buy"),
        (Decline(reason="unknown_company", detail="TSLA"), "TSLA is not covered", "AAPL, IBM"),
        (
            Decline(reason="bad_horizon", detail="10 years"),
            "I can't compute that over 10 years",
            "month",
        ),
        (Decline(reason="no_company"), "Which company do you mean?", "MSFT"),
    ],
)
def test_each_decline_leads_with_the_decline_and_offers_what_can_be_done(
    decline: Decline, first: str, instead: str
) -> None:
    text = decline_text(decline, tickers=("MSFT",), known=KNOWN)
    assert text.startswith(first)
    assert instead in re.split(r"(?<=[.?])\s", text, maxsplit=1)[1]  # the offer follows


def test_a_future_date_names_the_last_visible_date() -> None:
    limit = future_limit(today=date(2026, 12, 7), as_of=date(2012, 6, 29))
    text = decline_text(
        Decline(reason="future_date", detail="2013-06-30"), tickers=(), known=KNOWN, limit=limit
    )
    assert text.startswith("I can't answer about 2013-06-30: it is after the as-of date 2012-06-29")


def test_capabilities_list_the_tickers() -> None:
    assert "AAPL, IBM, MSFT" in capabilities_text(known=KNOWN)


def test_the_bundled_data_last_day_is_the_default_as_of_and_is_named_so() -> None:

    from agent.deps import deps_from_settings
    from core.settings import Settings

    deps = deps_from_settings(Settings(), model=None)
    assert deps.undated_today() == date(2013, 3, 1)  # the bundled stocks' last bar, not the clock
    assert deps.today() == asof.today()  # a run given a date is bounded by the clock alone
    assert (
        future_limit(today=deps.undated_today(), as_of=deps.undated_today())
        == "the data's last day (2013-03-01)"
    )
    clock = deps_from_settings(Settings(as_of_default="today"), model=None)
    assert clock.undated_today() == asof.today()


def test_the_staleness_limit_is_a_setting() -> None:
    from datetime import timedelta

    from agent.deps import deps_from_settings
    from core.settings import Settings

    assert deps_from_settings(Settings(), model=None).stale_after == timedelta(days=7)
    lenient = deps_from_settings(Settings(stale_after_days=30), model=None)
    assert lenient.stale_after == timedelta(days=30)


@pytest.mark.parametrize(
    ("question", "tickers"),
    [
        ("how have your calls on IBM done?", ("IBM",)),
        ("What's your track record on AAPL?", ("AAPL",)),
        ("How accurate have your signals been?", ()),
        ("how did your forecasts for GOOG perform?", ("GOOG",)),
        ("how good are you at calling MSFT?", ("MSFT",)),
        ("how right were your next-day calls on IBM?", ("IBM",)),
    ],
)
def test_questions_about_its_own_calls_ask_for_the_track_record_not_a_decline(
    question: str, tickers: tuple[str, ...]
) -> None:
    q = parse(question)
    assert q.decline is None and q.ask == "track_record" and q.tickers == tickers, q


@pytest.mark.parametrize(
    "question",
    [
        "How has IBM done this year?",
        "How did the model do on AAPL?",
        "Have you got IBM's RSI?",
        "Have you got a call on IBM right now?",
    ],
)
def test_questions_about_the_company_or_its_model_are_not(question: str) -> None:
    q = parse(question)
    assert q.ask != "track_record" and q.decline is None, q
