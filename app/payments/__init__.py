"""The official fee at the counter: computed from the catalogue, paid against a numbered receipt;
any other amount only under a waiver the chief approved."""
