"""Documents: a core result turned into titles, headline lines and tables that every renderer can show."""
