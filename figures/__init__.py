"""One script per paper figure or table; `workbench figures --only ID`."""
