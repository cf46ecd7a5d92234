"""The HTTP side: one Starlette app for webhooks, health and metrics."""
