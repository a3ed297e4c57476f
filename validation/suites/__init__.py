"""One module per paper; each registers a suite with validation.registry.register_suite."""
