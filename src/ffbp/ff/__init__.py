"""Forward-Forward's pieces, one job per module (Hinton 2022, "The Forward-Forward Algorithm").

Each variant is a function registered under a name in its module's dict; configs pick it by
that name, so a new goodness, loss, normalisation or negative-data strategy is one function
plus one dict entry.
"""
