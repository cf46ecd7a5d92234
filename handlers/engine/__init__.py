"""The conversation engine: flows declared as data, run step by step, persisted after every step."""
