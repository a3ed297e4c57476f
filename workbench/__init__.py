"""The workbench command line (see DESIGN.md, "One command line")."""
