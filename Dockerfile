FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=app MISSIVA_INSTANCE_PATH=/data
WORKDIR /srv/missiva
# Typst typesets the receipts and the reports in DejaVu.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml constraints.txt ./
COPY app.py cli.py settings.py gunicorn.conf.py ./
COPY workflow workflow
COPY views views
COPY forms forms
COPY tasks tasks
COPY templates templates
COPY static static
COPY migrations migrations
COPY calls calls
COPY directory directory
COPY translations translations
RUN pip install --no-cache-dir -c constraints.txt . && pybabel compile -d translations && useradd --system missiva && mkdir -p /data && chown missiva /data
USER missiva
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:create_app()"]
