# One image for the services; compose picks the service with `command:`
# (organising-recruitment, organising-reporting, organising-notifications, organising-gateway). Dependencies come
# from the hashed lock file, so the image installs exactly what CI tested.
#
# PYTHON_IMAGE is any Debian-based image with Python 3.11 and its venv module. The default is
# the official image, pinned; `make compose-smoke` passes a base built from Debian's packages,
# since no image registry answers on the machines it runs on.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# Stage 1: a virtual environment with the locked dependencies and the five packages, built
# where pip and its caches can stay behind.
FROM ${PYTHON_IMAGE} AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/organising
COPY requirements/runtime.lock /tmp/runtime.lock
RUN /opt/organising/bin/pip install --require-hashes -r /tmp/runtime.lock
COPY shared /src/shared
COPY services /src/services
# Not editable, no dependencies: everything else came from the lock above.
RUN /opt/organising/bin/pip install --no-deps /src/shared /src/services/recruitment /src/services/reporting /src/services/notifications /src/services/gateway

# Stage 2: the same base with only the environment copied in (no sources, no build leftovers).
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/organising/bin:$PATH ORGANISING_HTTP_HOST=0.0.0.0
# A fixed uid and gid, so that secret files on the host can be made readable to this group alone.
RUN groupadd --system --gid 10001 organising && useradd --system --uid 10001 --gid 10001 --no-create-home organising
COPY --from=build /opt/organising /opt/organising
USER organising
# The services write no files; a writable working directory all the same, for tools run in it.
WORKDIR /tmp
# No default command: every compose service names its own (see docker-compose.yml).
