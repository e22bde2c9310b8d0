"""The Wet inburgering 2021 as aggregates, events and rules. Pure: no web, database or I/O."""
