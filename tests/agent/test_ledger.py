from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.ledger import Ledger, Period, UnknownEvidenceError, extract
from tools.evidence import Evidence, Window

AS_OF = date(2011, 12, 30)


def make(
    values: dict, *, kind: str = "risk", tickers=("IBM",), summary: str = "", **kw
) -> Evidence:
    return Evidence.make(
        kind=kind, tickers=list(tickers), as_of=AS_OF, values=values, summary=summary, **kw
    )


# ---- the grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "literal", "decimals", "unit", "scale", "signed"),
    [
        ("42", 42.0, 0, "", 1.0, False),
        ("1,234.5", 1234.5, 1, "", 1.0, False),
        ("12.3%", 12.3, 1, "%", 1.0, False),
        ("-4.5 %", -4.5, 1, "%", 1.0, True),
        ("−2.04%", -2.04, 2, "%", 1.0, True),  # U+2212 minus
        ("7 percent", 7.0, 0, "%", 1.0, False),
        ("95th percentile", 95.0, 0, "%", 1.0, False),
        ("$532.17", 532.17, 2, "", 1.0, False),
        ("$1.2 billion", 1.2, 1, "", 1e9, False),
        ("1,200 million", 1200.0, 0, "", 1e6, False),
        ("$1.2bn", 1.2, 1, "", 1e9, False),
        ("$300M", 300.0, 0, "", 1e6, False),
        ("$500k", 500.0, 0, "", 1e3, False),
        ("-$3.5 million", -3.5, 1, "", 1e6, True),
        ("25 bps", 25.0, 0, "bp", 1.0, False),
        ("0.38", 0.38, 2, "", 1.0, False),
        (".5", 0.5, 1, "", 1.0, False),
        ("+0.29", 0.29, 2, "", 1.0, True),
        ("1.5x", 1.5, 1, "", 1.0, False),
    ],
)
def test_numbers(text: str, literal: float, decimals: int, unit: str, scale: float, signed: bool):
    [q] = extract(f"is {text}.")
    assert q.text == text
    assert (q.literal, q.decimals, q.unit, q.scale, q.signed) == (
        pytest.approx(literal),
        decimals,
        unit,
        scale,
        signed,
    )
    assert not q.is_date


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2013-02-28", Period(2013, 2, 28)),
        ("February 28, 2013", Period(2013, 2, 28)),
        ("Feb. 28, 2013", Period(2013, 2, 28)),
        ("28 February 2013", Period(2013, 2, 28)),
        ("2/28/2013", Period(2013, 2, 28)),
        ("Feb 2013", Period(2013, 2)),
        ("September 2012", Period(2012, 9)),
        ("Q4 2012", Period(2012, quarter=4)),
        ("Q4'12", Period(2012, quarter=4)),
        ("fourth quarter of fiscal 2012", Period(2012, quarter=4, fiscal=True)),
        ("FY2012", Period(2012, fiscal=True)),
        ("fiscal year 2012", Period(2012, fiscal=True)),
        ("2009", Period(2009)),
    ],
)
def test_dates(text: str, period: Period) -> None:
    [q] = extract(f"On {text}, it moved.")
    assert (q.text, q.period, q.is_date) == (text, period, True)


def test_bare_years_are_dates_and_numbers_but_other_integers_only_numbers() -> None:
    year, count = extract("In 2010 there were 500 bars")
    assert (year.period, year.literal) == (Period(2010), 2010.0)
    assert (count.period, count.literal, count.is_date) == (None, 500.0, False)
    assert extract("$2010")[0].period is None  # money, not a year


def test_impossible_date_is_a_date_without_a_period() -> None:
    [q] = extract("on 2013-02-30")
    assert q.is_date and q.period is None and q.value == "2013-02-30"


def test_spans_point_into_the_text() -> None:
    text = "VaR 2.04% on 2011-12-30, ranges 2010-2012 and 1-day"
    found = extract(text)
    assert [text[slice(*q.span)] for q in found] == [q.text for q in found]
    assert [q.text for q in found] == ["2.04%", "2011-12-30", "2010", "2012", "1"]
    assert found[3].signed is False  # the dash of a range is not a minus sign


def test_labels_citations_urls_and_list_markers_are_not_numbers() -> None:
    text = (
        "1. SMA50 and RSI(14) in the 10-K vs the S&P 500 [E-risk-IBM-20111230-4090c9cb, "
        "E-signal-IBM-20111230-401f6990]; hash 4090c9cb; https://sec.gov/a/51143/x.htm\n"
        "   2) MACD(12,26,9) v1.2.3"
    )
    assert [q.text for q in extract(text)] == ["14", "12", "26", "9"]


# ---- the ledger ---------------------------------------------------------------------------------


def test_append_get_iterate_and_filter() -> None:
    risk = make({"var": 0.02})
    sig = make({"score": 0.5}, kind="signal")
    msft = make({"var": 0.03}, tickers=("MSFT",))
    ledger = Ledger([risk, sig])
    assert ledger.add(msft) is msft
    ledger.add(make({"var": 0.02}))  # the same evidence again: kept once
    assert len(ledger) == 3 and [e.id for e in ledger] == [risk.id, sig.id, msft.id]
    assert ledger.get(sig.id) is sig and risk.id in ledger and "E-nope" not in ledger
    assert ledger.by_kind("risk") == [risk, msft]
    assert ledger.by_ticker("ibm") == [risk, sig]
    assert ledger.tickers() == {"IBM", "MSFT"}
    with pytest.raises(UnknownEvidenceError):
        ledger.get("E-risk-IBM-20111230-deadbeef")


def test_a_different_evidence_under_a_held_id_is_refused() -> None:
    ledger = Ledger([make({"var": 0.02}, summary="one")])
    with pytest.raises(ValueError, match="share the id"):
        ledger.add(make({"var": 0.02}, summary="two"))


def test_every_numeric_value_is_walked_recursively() -> None:
    values = {
        "results": [{"method": "historical", "level": 0.95, "var": 0.0204, "n_paths": None}],
        "drawdown": {"quantiles": {"0.99": 0.33}},
        "lookback_bars": 500,
        "timeframes_agree": True,
        "rsi_14": 55.6,
    }
    ledger = Ledger([make(values, window=Window(start=date(2010, 1, 8), end=AS_OF, bars=499))])
    facts = {f.path: f for f in ledger.numbers}
    assert sorted((f.path, f.value) for f in ledger.numbers) == [
        ("values.drawdown.quantiles.0.99", 0.33),
        ("values.drawdown.quantiles.0.99 (key)", 0.99),
        ("values.lookback_bars", 500.0),
        ("values.results[0].level", 0.95),
        ("values.results[0].var", 0.0204),
        ("values.rsi_14", 55.6),
        ("values.rsi_14 (key)", 14.0),  # indicator parameters are named in keys
        ("window.bars", 499.0),
    ]
    assert facts["values.results[0].var"].either_sign  # a loss: quoted with either sign
    assert facts["values.drawdown.quantiles.0.99"].either_sign
    assert not facts["values.results[0].level"].either_sign


def test_numbers_in_summaries_passages_and_notes_are_supported() -> None:
    passage = make(
        {"text": "Revenue was $1.2 billion, up 7% in fiscal 2012; margin fell 25 bps.", "rank": 1},
        kind="filing",
        summary="IBM 10-K Item 7: Revenue was $1.2 billion",
        source={"section": "Item 7", "filed": date(2012, 2, 28)},
    )
    values = {f.value for f in Ledger([passage]).numbers}
    assert {1.2e9, 0.07, 7.0, 1.0} <= values  # 7 from "Item 7", 1 from the rank
    assert any(v == pytest.approx(0.0025) for v in values)
    assert 10.0 not in values  # "10-K" is a form name
    periods = {f.period for f in Ledger([passage]).periods}
    assert {Period(2012, fiscal=True), Period(2012, 2, 28), Period(2011, 12, 30)} <= periods


def test_unsigned_numbers_in_text_may_be_quoted_with_either_sign() -> None:
    ledger = Ledger([make({}, summary="return -3.2%, drawdown 12%")])
    facts = {round(f.value, 6): f.either_sign for f in ledger.numbers}
    assert facts == {-0.032: False, 0.12: True}


def test_dates_come_from_as_of_window_and_iso_strings() -> None:
    ev = make(
        {"window_start": "2010-01-08", "bar_date": "2011-12-29"},
        window=Window(start=date(2010, 1, 8), end=date(2011, 12, 30)),
    )
    assert {(f.path, f.period.label) for f in Ledger([ev]).periods} == {
        ("values.window_start", "2010-01-08"),
        ("values.bar_date", "2011-12-29"),
        ("as_of", "2011-12-30"),
        ("window.start", "2010-01-08"),
        ("window.end", "2011-12-30"),
    }


def test_evidence_ids_and_fingerprints_in_values_are_not_numbers() -> None:
    ev = make({"details": {"evidence": "E-forecast-IBM-20111230-1a2b3c4d"}, "fp": "276a77e46543"})
    assert Ledger([ev]).numbers == ()


@given(st.text(alphabet=st.sampled_from("0123456789.,%$-+ /QFYEbmk[]\n|Mayeb'"), max_size=80))
def test_extract_never_fails_and_its_spans_are_ordered_slices(text: str) -> None:
    found = extract(text)
    assert all(text[q.span[0] : q.span[1]] == q.text for q in found)
    assert all(a.span[1] <= b.span[0] for a, b in zip(found, found[1:], strict=False))
