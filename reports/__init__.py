"""Report building blocks shared by the web chat, the briefing and the eval/calibration reports:
Plotly chart builders (``reports.charts``) and the self-contained HTML page (``reports.html``).

``reports`` may use ``quant`` for what a chart computes; it never imports the agent, the tools,
the briefing or the UI.
"""
