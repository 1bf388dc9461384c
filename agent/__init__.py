"""The research agent: a LangGraph graph (``agent.graph`` wires the nodes) that plans over the
tools, composes an answer from the evidence ledger and verifies every number and citation in it.
``agent.runner.Agent`` is what the CLI, the chat, the briefing and the evals call."""
