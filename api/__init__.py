"""The serving API (``signaldesk serve``): signals, research and briefings over HTTP for other
programs, with keys, scoped tokens, rate limits and a response cache. ``api.app.create_app``
builds the FastAPI application."""
