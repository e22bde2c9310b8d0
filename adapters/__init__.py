"""Wiring to the outside world: settings, store, clock, keys and the command line."""
