"""Channel connectors (one module per channel), referenced from credentials.yml."""
