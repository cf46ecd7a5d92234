"""One adapter per chat platform; the only code that knows a platform."""
