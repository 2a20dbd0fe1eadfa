"""The live page: a read-only starlette app with a JSON API and server-sent events."""
