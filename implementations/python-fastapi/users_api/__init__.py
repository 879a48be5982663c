"""The crud-conformance users API on FastAPI: create_app() builds the ASGI app, __main__ serves it (Uvicorn)."""
