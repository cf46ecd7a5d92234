"""`studio-bot doctor` and serve's start-up check: the configuration, the platforms, the data."""
