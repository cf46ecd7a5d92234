"""The ledger flows, one module each, declared as data for the engine."""
