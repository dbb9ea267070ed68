"""The lowest layer: settings, the store (engine, units of work, files), the schema, accounts, audit, text."""
