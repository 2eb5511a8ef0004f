"""Flask-WTF forms, one module per screen family."""
