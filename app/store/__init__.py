"""All SQL lives here: small async keyword-only functions taking a session; none commits."""
