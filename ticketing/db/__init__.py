"""Database: engine, unit of work, base mixins, private server, migrations."""
