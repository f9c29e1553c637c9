# One image for the three services; SERVICE picks the entry point. Dependencies come from the
# hashed lock file, so the image installs exactly what CI tested.
FROM python:3.11-slim
ARG SERVICE
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ORGANISING_HTTP_HOST=0.0.0.0 SERVICE=${SERVICE}
WORKDIR /app
COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.lock
COPY shared shared
COPY services services
RUN pip install --no-cache-dir --no-deps ./shared ./services/recruitment ./services/reporting ./services/notifications
RUN useradd --system --uid 10001 organising
USER organising
CMD ["sh", "-c", "exec python -m ${SERVICE}.main"]
