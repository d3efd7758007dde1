"""One Window speed and memory benchmark: `python -m bench --help`.

Speed targets are checked here, with real clocks and a real scheduler, never by timed tests.
"""
