"""Report building blocks shared by the web chat, the briefing and the eval/calibration reports:
Plotly chart builders, one per chart (``reports.charts``; one ticker's price and score history
from its bars in ``reports.technical``), the self-contained HTML page (``reports.html``) and
the Markdown table and number formats (``reports.markdown``).

``reports`` may use ``quant`` for what a chart computes; it never imports the agent, the tools,
the briefing or the UI.
"""
