"""Office calendars: working days, working time and holiday lists."""
