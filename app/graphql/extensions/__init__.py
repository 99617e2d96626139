"""Schema extensions: the announcement gate and the read snapshot."""
