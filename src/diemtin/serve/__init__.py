"""Serving: the ASGI website (app), the JSON API and OpenAPI (api), RSS/Atom feeds (feeds), view counts."""
