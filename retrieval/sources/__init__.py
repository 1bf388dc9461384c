"""Readers that turn local folders, EDGAR and news files into Documents and NewsItems."""
