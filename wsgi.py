"""The WSGI entry point for gunicorn (`make serve`): `gunicorn wsgi:app`."""
from app import create_app

app = create_app()
