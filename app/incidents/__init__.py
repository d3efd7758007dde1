"""Cases in error: every one listed with where and why it stopped, and retried after a fix."""
