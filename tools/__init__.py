"""The agent's tools: evidence functions over quant/ and retrieval/, and their LangChain wrappers.

Each evidence function takes the run's ``ToolContext`` (as-of date, data services, config:
injected, never chosen by the model) and returns ``Evidence`` that answers cite. ``TOOLS`` are
the same functions as LangChain tools reading the context from ``tools.runtime``.
Import the submodules directly (``from tools.signal import signal_evidence``); this package
imports nothing heavy itself.
"""
