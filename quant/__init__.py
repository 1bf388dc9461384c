"""Deterministic, point-in-time quantitative code: indicators, features, sentiment scores,
models, backtests, risk and the signal.

Pure computation: no I/O (market data and the database live in ``data``), and nothing in
``quant`` imports the agent, the tools or retrieval; everything takes its inputs (dates, data,
generators) explicitly.
"""
