"""Query engines over a built graph: one module per engine, registered by name."""
