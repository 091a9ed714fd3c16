"""Loading a CRM export: files, columns, values and rejected rows (SPEC §1)."""
