"""Rules: one module per theme; `registry.load_rules()` imports them all."""
