"""Table rows read by fiscal year: headers, $ signs, commas, negatives, % columns and units."""

from __future__ import annotations

import pytest

from retrieval.headings import find_subsection, subheadings
from retrieval.tables import parse_cell, table_rows

STATEMENT = """CONSOLIDATED STATEMENTS OF OPERATIONS

(In millions, except share amounts which are reflected in thousands)

  Three years ended September 25, 2010        2010          2009          2008
 ──────────────────────────────────────────────────────────────────────────────
  Net sales                              $   1,250     $     980     $     700
  Cost of sales                                800           600           500
  Other income and expense                    (12)             —            30
  Net income (a)                         $     310     $     250     $     120
"""

BY_PRODUCT = """The following table shows net sales (in thousands):

                         2011        Change        2010        Change
  Total net sales     $  5,000         25%      $  4,000         (3          4,100
"""

FIVE_YEARS = """Selected data (in billions).

                          FY2012     FY2011
  Revenue                 $9.5       $8.25      7.0      6.0      5.0
"""

DATES = """Years ended (in millions)
                       September 28,      September 29,
                       2019               2018
  Net sales           $ 260              $ 265
"""


def test_cells() -> None:
    assert parse_cell("$65,225") == (65225.0, False)
    assert parse_cell("(1,234)") == (-1234.0, False)
    assert parse_cell("52%") == (52.0, True)
    assert parse_cell("(3") == (-3.0, True)  # a percentage whose "%)" the conversion lost
    assert parse_cell("—") == (0.0, False)
    assert parse_cell("Total") is None


def test_a_statement_row_by_year_with_its_unit() -> None:
    (row,) = table_rows(STATEMENT, ("Net sales",))
    assert row.by_year == {2010: 1250.0, 2009: 980.0, 2008: 700.0}
    assert row.unit == "USD millions"  # not the "thousands" of the share amounts
    assert row.text == "Net sales $ 1,250 $ 980 $ 700"
    assert STATEMENT[row.start : row.end].strip().startswith("Net sales")
    (other,) = table_rows(STATEMENT, ("Other income and expense",))
    assert other.by_year == {2010: -12.0, 2009: 0.0, 2008: 30.0}
    (income,) = table_rows(STATEMENT, ("net income",))  # footnote mark dropped, any case
    assert income.label == "Net income" and income.by_year[2009] == 250.0


def test_change_columns_short_headers_and_date_headers() -> None:
    (row,) = table_rows(BY_PRODUCT, ("Total net sales",))
    assert row.by_year == {2011: 5000.0, 2010: 4000.0} and row.unit == "USD thousands"
    (row,) = table_rows(FIVE_YEARS, ("Revenue",))
    assert row.by_year == {2012: 9.5, 2011: 8.25}  # columns past the header are not read
    assert row.unit == "USD billions"
    (row,) = table_rows(DATES, ("Net sales",))
    assert row.by_year == {2019: 260.0, 2018: 265.0}


def test_prose_and_other_headers_are_not_tables() -> None:
    text = "Net sales  rose a lot during the year.\n" + STATEMENT.replace(
        "  Three years ended September 25, 2010        2010          2009          2008",
        "  Quarter ended        March 31        June 30        September 30",
    )
    assert table_rows(text, ("Net sales",)) == []


SECTION = """Item 1. Business

Products

The Company sells phones.

No single
customer accounted for 10% of net sales.

Competition

The markets are highly competitive.

Prices fall every year.

Supply of Components

Parts come from many suppliers.
"""


@pytest.mark.parametrize("asked", ["Competition", "competition", "the competition"])
def test_a_subsection_runs_to_the_next_heading(asked: str) -> None:
    titles = [h.title for h in subheadings(SECTION)]
    assert titles == ["Item 1. Business", "Products", "Competition", "Supply of Components"]
    head = find_subsection(SECTION, asked)
    assert head is not None and head.title == "Competition"
    body = SECTION[head.start : head.end]
    assert body.startswith("Competition") and body.rstrip().endswith("Prices fall every year.")
    assert find_subsection(SECTION, "Legal proceedings") is None


def test_a_heading_right_above_its_text_counts_and_a_wrapped_line_does_not() -> None:
    text = "Intro.\n\nCompetition\nThe markets are tough.\n\nResearch and\nDevelopment costs rose."
    assert [h.title for h in subheadings(text)] == ["Competition"]
