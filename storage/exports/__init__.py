"""Exports: streaming .xlsx and .csv writers, and the ledgers read row by row from the database."""
