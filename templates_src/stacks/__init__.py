"""One module per nested stack; each exposes `build(cfg, ctx)` and reads only its slice of the config."""
