"""SignalDesk's agent and entry points: settings, logging, services, CLI, the evidence ledger,
answer models and verifier, and the LLM factory (the LangGraph graph lands here)."""
