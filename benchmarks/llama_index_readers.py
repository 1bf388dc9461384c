"""SignalDesk's HTML filing reader against LlamaIndex's HTML parsing, on real inline-XBRL filings.

Run from the repository root (needs ../shared/data, which a fresh clone does not have)::

    python -m benchmarks.llama_index_readers [--json out/llama_index_readers.json]

Inputs: the 6 original HTML filings of ``sec_10k_10q_largecap_2024_2025_edgartools/html``
(AAPL, GOOGL, IBM, META 10-K/10-Q), each with a plain-text version made by the data set's
own small HTML-to-text helper (``text/``), used as the reference. Readers:

- ``signaldesk``: ``retrieval.sources.folder.read_document`` (``retrieval/sources/_html.py``);
- ``llama-html``: ``llama_index.core.node_parser.HTMLNodeParser`` with its default tags, the
  nodes' texts joined by blank lines;
- ``llama-html+div``: the same with ``div``, ``tr`` and ``td`` added to the tags (inline-XBRL
  filings put their prose in ``div``s and their figures in tables);
- ``llama-directory``: ``SimpleDirectoryReader``, which without ``llama-index-readers-file``
  (not a SignalDesk dependency) reads an HTML file as plain text, tags and all.

llama-index-core has no PDF reader (``PDFReader`` lives in ``llama-index-readers-file`` and
wraps pypdf, the library SignalDesk's reader already uses), so PDFs are not compared.

Metrics per filing: word precision, recall and F1 against the reference (multisets of
lower-cased words and numbers), whether ``parse_sections`` finds the risk-factor and MD&A
items in the text (10-K Item 1A and 7, 10-Q Part I Item 2 and Part II Item 1A), hidden
inline-XBRL header content leaked into the text (``us-gaap:``/``dei:``/``xbrli:`` names and
``fasb.org/us-gaap/`` concept URLs, which no visible page shows), and seconds.
Exit status: 0, or 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from retrieval.parsing import parse_sections
from retrieval.sources.folder import read_document
from retrieval.sources.limits import ParseLimits

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
FOLDER = Path("sec_10k_10q_largecap_2024_2025_edgartools")
_WORD = re.compile(r"[A-Za-z]+|\d[\d,.]*\d|\d")
_XBRL_NAME = re.compile(r"fasb\.org/us-gaap/|\b(?:us-gaap|dei|xbrli|iso4217|srt):[A-Za-z]")
_KEY_ITEMS = {"10-K": ("Item 1A", "Item 7"), "10-Q": ("Part I, Item 2", "Part II, Item 1A")}
_NO_LIMITS = ParseLimits(max_bytes=None, max_seconds=None)
_EXTRA_TAGS = ["div", "tr", "td"]


@dataclass(frozen=True)
class Result:
    filing: str
    reader: str
    precision: float
    recall: float
    f1: float
    key_items_found: int  # of 2
    xbrl_names_leaked: int
    seconds: float


def _signaldesk(path: Path) -> str:
    return read_document(path, limits=_NO_LIMITS).text


def _llama_html(tags: list[str] | None) -> Callable[[Path], str]:
    from llama_index.core import Document
    from llama_index.core.node_parser import HTMLNodeParser

    parser = HTMLNodeParser() if tags is None else HTMLNodeParser(tags=tags)

    def read(path: Path) -> str:
        raw = path.read_text("utf-8", errors="replace")
        nodes = parser.get_nodes_from_documents([Document(text=raw)])
        return "\n\n".join(n.get_content() for n in nodes)

    return read


def _llama_directory(path: Path) -> str:
    from llama_index.core import SimpleDirectoryReader

    return "\n\n".join(d.text for d in SimpleDirectoryReader(input_files=[str(path)]).load_data())


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def score(filing: Path, reference: str, reader: str, read: Callable[[Path], str]) -> Result:
    started = time.perf_counter()
    text = read(filing)
    seconds = time.perf_counter() - started
    got, ref = _words(text), _words(reference)
    common = sum((got & ref).values())
    precision = common / max(1, sum(got.values()))
    recall = common / max(1, sum(ref.values()))
    form = "10-Q" if "_10-Q_" in filing.name else "10-K"
    names = {s.name for s in parse_sections(text, form=form)}
    return Result(
        filing=filing.stem,
        reader=reader,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(2 * precision * recall / max(1e-12, precision + recall), 4),
        key_items_found=sum(item in names for item in _KEY_ITEMS[form]),
        xbrl_names_leaked=len(_XBRL_NAME.findall(text)),
        seconds=round(seconds, 3),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    folder = args.data / FOLDER
    if not (folder / "html").is_dir():
        print(f"no HTML filings at {(folder / 'html').resolve()}", file=sys.stderr)
        return 2
    readers: dict[str, Callable[[Path], str]] = {
        "signaldesk": _signaldesk,
        "llama-html": _llama_html(None),
        "llama-html+div": _llama_html(
            ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "b", "i", "u", "section", *_EXTRA_TAGS]
        ),
        "llama-directory": _llama_directory,
    }
    print(f"{'filing':28}{'reader':17}{'P':>7}{'R':>7}{'F1':>7}{'items':>6}{'xbrl':>6}{'s':>7}")
    results = []
    for filing in sorted((folder / "html").glob("*.html")):
        reference = (folder / "text" / f"{filing.stem}.txt").read_text("utf-8")
        for name, read in readers.items():
            r = score(filing, reference, name, read)
            results.append(r)
            print(
                f"{r.filing:28}{r.reader:17}{r.precision:>7.3f}{r.recall:>7.3f}{r.f1:>7.3f}"
                f"{r.key_items_found:>4}/2{r.xbrl_names_leaked:>6}{r.seconds:>7.2f}",
                flush=True,
            )
    print("\nmean over filings")
    for name in readers:
        mine = [r for r in results if r.reader == name]
        n = len(mine)
        print(
            f"  {name:17} F1 {sum(r.f1 for r in mine) / n:.3f}  key items "
            f"{sum(r.key_items_found for r in mine)}/{2 * n}  seconds "
            f"{sum(r.seconds for r in mine):.1f}"
        )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
