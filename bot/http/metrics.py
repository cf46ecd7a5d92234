"""Prometheus metrics of one HTTP app: inbound events, replies, errors, outbox depth, latency."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxMessage, OutboxStatus

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.5, 10.0)


class Metrics:
    """The counters one app exposes at GET /metrics (a registry of its own, so apps never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter(
            "studio_inbound_events",
            "Inbound events by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.replies = Counter(
            "studio_replies", "Messages sent to users, by channel and way", ["channel", "way"], registry=self.registry
        )
        self.errors = Counter(
            "studio_errors", "Errors by channel and where", ["channel", "where"], registry=self.registry
        )
        self.outbox = Gauge("studio_outbox_depth", "Outbox rows by status", ["status"], registry=self.registry)
        self.latency = Histogram(
            "studio_inbound_latency_seconds",
            "Time from receiving an inbound event to answering it",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # each labelled child looked up once: labels() takes a lock and builds its key on every call
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *values: str) -> Any:
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def event(self, channel: str, outcome: str, seconds: float | None = None) -> None:
        """Count one inbound event (and its latency, when it was answered)."""
        self._child(self.inbound, channel, outcome).inc()
        if seconds is not None:
            self._child(self.latency, channel).observe(seconds)

    def sent(self, channel: str, way: str, count: int = 1) -> None:
        """Count messages sent: passive replies, API calls, pushes."""
        if count:
            self._child(self.replies, channel, way).inc(count)

    def error(self, channel: str, where: str) -> None:
        """Count one error."""
        self._child(self.errors, channel, where).inc()

    async def render(self, sessions: async_sessionmaker[AsyncSession]) -> bytes:
        """The Prometheus text, with the outbox depth read now."""
        async with sessions() as session:
            rows = (
                await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            ).all()
        self.outbox.clear()
        for known in OutboxStatus:
            self.outbox.labels(status=known.value).set(0)
        for status, count in rows:
            self.outbox.labels(status=getattr(status, "value", str(status))).set(count)
        return bytes(generate_latest(self.registry))


def metrics_of(state: Any) -> Metrics:
    """The app's Metrics (an app built without one gets one on first use)."""
    metrics = getattr(state, "metrics", None)
    if metrics is None:
        metrics = state.metrics = Metrics()
    assert isinstance(metrics, Metrics)
    return metrics
