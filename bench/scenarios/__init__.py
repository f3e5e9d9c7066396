"""One module per benchmark of DESIGN.md, Performance."""
