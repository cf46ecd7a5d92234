"""Bulk import of unions, studios, people and roles from the .xlsx template: all rows checked, then all written."""
