"""The studio's life (第五条–第十条): application stages, expert scoring, public notice, naming, cycle verdicts."""
