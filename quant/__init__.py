"""Deterministic, point-in-time quantitative code: data, indicators, models, backtests and risk.

Nothing in `quant` imports the agent; everything takes its inputs (dates, data, generators)
explicitly.
"""
