from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.parsing import (
    TEN_K_ITEMS,
    detect_period,
    fiscal_quarter_label,
    fiscal_year_label,
    parse_sections,
)

TEN_K_ORDER = [
    "Cover",
    "Item 1",
    "Item 1A",
    "Item 1B",
    "Item 2",
    "Item 3",
    "Item 4",
    "Item 5",
    "Item 6",
    "Item 7",
    "Item 7A",
    "Item 8",
    "Item 9",
    "Item 9A",
    "Item 9B",
    "Item 10",
    "Item 11",
    "Item 12",
    "Item 13",
    "Item 14",
    "Item 15",
]


def _acme_10k(fixtures: Path) -> str:
    return (fixtures / "filings" / "ACME_10-K_2021-02-26_0000999999-21-000004.txt").read_text()


def test_10k_items_are_found_in_order_and_tile_the_text(fixtures: Path) -> None:
    text = _acme_10k(fixtures)
    sections = parse_sections(text, form="10-K")
    assert [s.name for s in sections] == TEN_K_ORDER
    assert sections[0].start == 0
    assert sections[-1].end == len(text)
    for before, after in zip(sections, sections[1:], strict=False):
        assert before.end == after.start
    titles = {s.name: s.title for s in sections}
    assert titles["Item 1A"] == "Risk Factors"
    assert titles["Item 6"] == "[Reserved]"
    assert titles["Item 7"].startswith("Management's Discussion and Analysis")


def test_table_of_contents_is_not_chosen(fixtures: Path) -> None:
    text = _acme_10k(fixtures)
    body_starts = text.index("Forward-looking statements appear")
    for section in parse_sections(text, form="10-K")[1:]:
        assert section.start > body_starts, section.name
        number = section.name.removeprefix("Item ")
        assert text[section.start :].startswith(f"Item {number}. "), section.name


def test_cross_reference_and_running_header_do_not_cut_sections(fixtures: Path) -> None:
    text = _acme_10k(fixtures)
    by_name = {s.name: s for s in parse_sections(text, form="10-K")}
    item1 = text[by_name["Item 1"].start : by_name["Item 1"].end]
    assert "We employ about 1,200 people" in item1  # after the bare "Item 1" page header
    item7 = text[by_name["Item 7"].start : by_name["Item 7"].end]
    assert "Item 8 of this Form 10-K contains" in item7
    assert "operating income rose 4%" in item7
    assert text[by_name["Item 8"].start :].startswith("Item 8. Financial Statements")


def test_contents_list_without_page_numbers_is_skipped() -> None:
    toc = "\n\n".join(
        f"Item {n}. {t}"
        for n, t in [("1", "Business"), ("1A", "Risk Factors"), ("2", "Properties"), ("7", "MD&A")]
    )
    body = (
        "Item 1. Business\n\nWe make widgets in two plants and sell them worldwide.\n\n"
        "Item 1A. Risk Factors\n\nSteel prices are volatile and can hurt our margins.\n\n"
        "Item 2. Properties\n\nWe own both plants and lease one warehouse in Tucson.\n\n"
        "Item 7. MD&A\n\nNet sales grew 12% on higher volumes of our main product.\n"
    )
    text = f"FORM 10-K\n\nCONTENTS\n\n{toc}\n\nPART I\n\n{body}"
    sections = parse_sections(text, form="10-K")
    assert [s.name for s in sections] == ["Cover", "Item 1", "Item 1A", "Item 2", "Item 7"]
    assert sections[1].start == text.index("Item 1. Business\n\nWe make")


def test_amendment_with_only_some_items_in_the_body() -> None:
    toc = "\n".join(
        f"  Item {n}.   {t}   {p}"
        for n, t, p in [("10", "Directors", 1), ("11", "Compensation", 5), ("15", "Exhibits", 9)]
    )
    text = (
        "FORM 10-K/A\n\nAmendment No. 1\n\n"
        + toc
        + "\n\nDirectors of the Company\n\nOur board has nine members, all independent but one.\n\n"
        + "ITEM 15. EXHIBITS AND FINANCIAL STATEMENT SCHEDULES\n\n31.1 Certification.\n"
    )
    sections = parse_sections(text, form="10-K/A")
    assert [s.name for s in sections] == ["Cover", "Item 15"]
    assert text[sections[1].start :].startswith("ITEM 15. EXHIBITS")


def test_repeated_page_headers_start_the_section_at_the_first_one() -> None:
    page = "ITEM 1. BUSINESS\n\nWe design widgets and sell them in forty countries worldwide.\n\n"
    text = "FORM 10-K\n\n" + page * 3 + "ITEM 1A. RISK FACTORS\n\nSteel costs may rise further.\n"
    sections = parse_sections(text, form="10-K")
    assert [s.name for s in sections] == ["Cover", "Item 1", "Item 1A"]
    assert sections[1].start == text.index("ITEM 1. BUSINESS")


def test_split_heading_words_from_pdf_like_renderings() -> None:
    text = (
        "FORM 10-K\n\n  I TEM 1A.      RI SK FACTORS  \n\nOur results depend on steel prices.\n\n"
        "ITE\nM 11. EXECUTIVE COMPENSATION\n\nIncorporated by reference to the proxy statement.\n"
    )
    names = [s.name for s in parse_sections(text, form="10-K")]
    assert names == ["Cover", "Item 1A", "Item 11"]


def test_10q_parts_from_part_lines(fixtures: Path) -> None:
    from retrieval.sources._html import html_to_text

    html = (fixtures / "filings" / "ACME_10-Q_2021-05-07.htm").read_bytes()
    text = html_to_text(html).text
    sections = parse_sections(text, form="10-Q")
    assert [s.name for s in sections] == [
        "Cover",
        "Part I, Item 1",
        "Part I, Item 2",
        "Part II, Item 1",
        "Part II, Item 6",
    ]
    assert text[sections[3].start : sections[3].end].startswith("Item 1. Legal Proceedings")


def test_10q_parts_without_part_lines_come_from_titles_and_order() -> None:
    text = (
        "FORM 10-Q\n\nItem 1. Financial Statements\n\nNet sales were $104 million.\n\n"
        "Item 2. Management's Discussion and Analysis\n\nSales rose on volume and price.\n\n"
        "Item 1. Legal Proceedings\n\nWe are not party to any material legal proceeding.\n\n"
        "Item 6. Exhibits\n\n31.1 Certification of the chief executive officer.\n"
    )
    names = [s.name for s in parse_sections(text)]  # form unknown: the cover says 10-Q
    assert names == [
        "Cover",
        "Part I, Item 1",
        "Part I, Item 2",
        "Part II, Item 1",
        "Part II, Item 6",
    ]


def test_other_forms_have_no_item_sections() -> None:
    assert (
        parse_sections("Item 2.02 Results of Operations and Financial Condition", form="8-K") == ()
    )


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.sampled_from(TEN_K_ITEMS), min_size=2, max_size=12, unique=True),
    page_numbers=st.booleans(),
    words=st.integers(min_value=6, max_value=60),
)
def test_body_headings_win_over_any_contents_list(
    items: list[str], page_numbers: bool, words: int
) -> None:
    items = sorted(items, key=TEN_K_ITEMS.index)
    toc = "\n".join(
        f"Item {i}. Title of item {i}" + (f"    {k + 3}" if page_numbers else "")
        for k, i in enumerate(items)
    )
    sentence = " ".join(["widget"] * words) + "."
    body = "".join(f"Item {i}. Title of item {i}\n\n{sentence}\n\n" for i in items)
    text = f"FORM 10-K\n\nTABLE OF CONTENTS\n\n{toc}\n\nPART I\n\n{body}"
    sections = parse_sections(text, form="10-K")
    assert [s.name for s in sections] == ["Cover"] + [f"Item {i}" for i in items]
    body_start = text.index("PART I\n\n")
    assert all(s.start > body_start for s in sections[1:])


@pytest.mark.parametrize(
    ("cover", "form", "fye", "expected"),
    [
        (
            "For the fiscal year ended September 25, 2010",
            "10-K",
            None,
            (date(2010, 9, 25), "FY2010"),
        ),
        ("For The Fiscal\nYear Ended June 30, 2016", "10-K", None, (date(2016, 6, 30), "FY2016")),
        ("For the fiscal year endedDecember 31,2021", "10-K", None, (date(2021, 12, 31), "FY2021")),
        ("for the fiscal year ended January 2, 2011", "10-K", None, (date(2011, 1, 2), "FY2010")),
        ("For the quarterly period ended June 28, 2025", "10-Q", 9, (date(2025, 6, 28), "2025Q3")),
        ("For the quarterly period ended June 28, 2025", "10-Q", None, (date(2025, 6, 28), None)),
        ("No period here.", "10-K", None, (None, None)),
    ],
)
def test_detect_period(cover: str, form: str, fye: int | None, expected: tuple) -> None:
    period = detect_period(f"FORM {form}\n\n{cover}\n", form=form, fiscal_year_end_month=fye)
    assert (period.period_end, period.fiscal_period) == expected


def test_fiscal_labels() -> None:
    assert fiscal_year_label(date(2024, 9, 28)) == "FY2024"
    assert fiscal_year_label(date(2010, 1, 2)) == "FY2009"  # 52/53-week year ending in January
    assert fiscal_quarter_label(date(2000, 4, 1), fiscal_year_end_month=9) == "2000Q2"
    assert fiscal_quarter_label(date(1997, 12, 26), fiscal_year_end_month=9) == "1998Q1"
    assert fiscal_quarter_label(date(2016, 3, 31), fiscal_year_end_month=6) == "2016Q3"
    assert fiscal_quarter_label(date(2021, 4, 3), fiscal_year_end_month=12) == "2021Q1"


def test_body_heading_ending_in_a_page_number_is_not_a_contents_line() -> None:
    """Issue 23: a FY2005 10-K merged Item 8 into Item 7A: its Item 8 heading carried the
    page number of a page footer run into it, and was dropped as a contents line."""
    toc = "\n".join(
        f"Item {n}. {t}    {p}"
        for n, t, p in [
            ("7", "Management's Discussion and Analysis", 20),
            ("7A", "Quantitative and Qualitative Disclosures About Market Risk", 38),
            ("8", "Financial Statements and Supplementary Data", 40),
            ("9A", "Controls and Procedures", 80),
        ]
    )
    sentence = "Net sales grew 12% on higher volumes of our main product line. " * 20
    text = (
        f"FORM 10-K\n\nFor the fiscal year ended September 24, 2005\n\n{toc}\n\nPART II\n\n"
        f"Item 7. Management's Discussion and Analysis\n\n{sentence}\n\n"
        f"Item 7A. Quantitative and Qualitative Disclosures About Market Risk\n\n{sentence}\n\n"
        f"Item 8. Financial Statements and Supplementary Data    40\n\n{sentence}\n\n"
        f"Item 9A. Controls and Procedures\n\n{sentence}\n"
    )
    sections = parse_sections(text, form="10-K")
    assert [s.name for s in sections] == ["Cover", "Item 7", "Item 7A", "Item 8", "Item 9A"]
    by_name = {s.name: s for s in sections}
    assert text[by_name["Item 8"].start :].startswith("Item 8. Financial Statements")
    assert by_name["Item 8"].title == "Financial Statements and Supplementary Data"
    assert by_name["Item 7A"].end == by_name["Item 8"].start
