"""The API's routers: health, tokens, market computations, the agent."""
