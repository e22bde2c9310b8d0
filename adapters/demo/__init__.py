"""Demo data: a realistic region built from the policy document's volumes (`make demo`).

`plan` says which commands, on which day and by whom, for a seed (no I/O); `vullen` carries them out through
the application's own use cases, so every fact passes the domain's rules as if typed in by case workers.
"""
