"""Entry point for `celery -A tasks.worker worker` and `celery -A tasks.worker beat`."""
from app import create_app

celery = create_app().extensions["celery"]
