"""One module per speed benchmark; each registers with validation.registry.register_bench."""
