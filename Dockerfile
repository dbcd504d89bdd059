FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mesh_catalog ./mesh_catalog
COPY apps ./apps
RUN pip install --no-cache-dir -e .
COPY . .
EXPOSE 8000
CMD ["gunicorn", "mesh_catalog.wsgi", "-b", "0.0.0.0:8000"]
