"""Well-known US companies by name, for the question parser.

A company named in a question is a clear mark of a ticker even when the bundled data does not
cover it ("Should I buy Tesla?" -> TSLA): the parser marks it unknown, an open-universe provider
still tries it, and the offline agent declines it as not covered instead of asking which company
was meant. The symbols themselves (TSLA, NFLX) typed in capitals count as marked too.
"""

from __future__ import annotations

# (name pattern, ticker): patterns are matched case-insensitively on word boundaries
# fmt: off
COMPANIES: tuple[tuple[str, str], ...] = (
    (r"tesla(?:\s+motors)?", "TSLA"), (r"netflix", "NFLX"), (r"amazon(?:\.com)?", "AMZN"),
    (r"nvidia", "NVDA"), (r"intel(?:\s+corp(?:oration)?)?", "INTC"), (r"oracle", "ORCL"),
    (r"wal-?mart", "WMT"), (r"exxon(?:\s?mobil)?", "XOM"), (r"coca-?\s?cola|coke", "KO"),
    (r"jp\s?morgan(?:\s+chase)?", "JPM"), (r"berkshire(?:\s+hathaway)?", "BRK-B"),
    (r"disney|walt\s+disney", "DIS"), (r"cisco(?:\s+systems)?", "CSCO"), (r"qualcomm", "QCOM"),
    (r"adobe", "ADBE"), (r"salesforce(?:\.com)?", "CRM"), (r"boeing", "BA"), (r"pfizer", "PFE"),
    (r"johnson\s?(?:&|and)\s?johnson", "JNJ"), (r"procter\s?(?:&|and)\s?gamble|p\s?&\s?g", "PG"),
    (r"home\s+depot", "HD"), (r"mcdonald'?s", "MCD"), (r"nike", "NKE"), (r"starbucks", "SBUX"),
    (r"goldman(?:\s+sachs)?", "GS"), (r"bank\s+of\s+america", "BAC"), (r"wells\s+fargo", "WFC"),
    (r"citigroup|citibank|citi", "C"), (r"chevron", "CVX"), (r"at\s?&\s?t", "T"),
    (r"verizon", "VZ"), (r"merck", "MRK"), (r"pepsi(?:co)?", "PEP"), (r"costco", "COST"),
    (r"advanced\s+micro\s+devices", "AMD"), (r"paypal", "PYPL"), (r"uber", "UBER"),
    (r"caterpillar", "CAT"), (r"general\s+electric", "GE"), (r"general\s+motors", "GM"),
    (r"ford(?:\s+motor(?:\s+company)?)?", "F"), (r"texas\s+instruments", "TXN"),
    (r"mastercard", "MA"), (r"visa", "V"), (r"unitedhealth(?:\s+group)?", "UNH"),
    (r"honeywell", "HON"), (r"comcast", "CMCSA"), (r"ebay", "EBAY"), (r"yahoo", "YHOO"),
    (r"twitter", "TWTR"), (r"hewlett[-\s]packard", "HPQ"), (r"micron(?:\s+technology)?", "MU"),
    (r"broadcom", "AVGO"), (r"abbott(?:\s+laboratories)?", "ABT"),
    (r"lockheed(?:\s+martin)?", "LMT"),
    (r"fedex", "FDX"), (r"dell", "DELL"), (r"3m", "MMM"), (r"alibaba", "BABA"),
    (r"zoom(?:\s+video)?", "ZM"), (r"spotify", "SPOT"), (r"shopify", "SHOP"), (r"airbnb", "ABNB"),
)
# fmt: on
COMPANY_TICKERS = frozenset(ticker for _, ticker in COMPANIES)
