"""Documents brought with an application: checked by their content, stored once by hash, served so
that nothing uploaded can run in a reader's browser."""
