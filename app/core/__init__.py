"""Infrastructure: settings, the database and its units of work, migrations, the server, services."""
