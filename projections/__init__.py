"""Read models, derived from the events and rebuildable from them. Pure: no web or database code."""
