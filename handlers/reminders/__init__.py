"""Reminder policy: a planner that reads the domain and writes due reminders into the outbox."""

from handlers.reminders.calendar import PushWindow, is_working_day
from handlers.reminders.planner import KIND, Planned, PlanResult, plan

__all__ = ["KIND", "PlanResult", "Planned", "PushWindow", "is_working_day", "plan"]
