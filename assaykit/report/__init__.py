"""Presentation and output: tables, figures, workbooks, provenance (the only writers of files)."""
