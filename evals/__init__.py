"""Eval suites: suites as data (``evals.suite``), the runner and its deterministic metrics, the
optional LLM judge, stored runs and reports; decision calibration of stored calls against what
happened next lives in ``evals.calibration``."""
