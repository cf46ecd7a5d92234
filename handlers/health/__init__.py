"""What would stall: checks of the data, read-only and platform-free (`studio-bot doctor`, `serve` at start)."""
