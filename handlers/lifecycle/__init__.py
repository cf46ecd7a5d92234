"""The studio's life (第五条–第十条): application stages, expert scoring, public notice, naming, cycle verdicts."""

from handlers.lifecycle import buttons, cycles, history, notices, objections, pending, scoring  # noqa: F401  - registers them
