"""WSGI entry point used by ``youlin serve`` (gunicorn) and the demo server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youlin.settings")
application = get_wsgi_application()
