"""The request bodies of the commands, one module per phase of the process, like domain/traject/."""
