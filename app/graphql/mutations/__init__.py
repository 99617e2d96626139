"""Root mutation fields, one module per area, merged in schema.py."""
