# The rxledger node image: one `rxl` process per container, run as a non-root user.
#
# Build it with `python -m network.docker build` (or `.ci/docker-stage`), which first puts the
# project and every dependency as wheels into dist/wheelhouse/ on the host: nothing is
# downloaded during the build, so it works where no package index is reachable.
#
# BASE_IMAGE needs python3 (3.11 or newer) with the venv module. The default is the local
# Debian image that `python -m network.docker base-image` makes with debootstrap; where a
# registry is reachable, `--build-arg BASE_IMAGE=python:3.11-slim-bookworm` works as well.
ARG BASE_IMAGE=rxledger/debian-base:bookworm

FROM ${BASE_IMAGE} AS install
# Lets `network.docker` prune this throw-away stage after a build (and, for the final
# image, the untagged images earlier builds leave behind).
LABEL org.rxledger.stage=install
COPY dist/wheelhouse /wheelhouse
RUN python3 -m venv /opt/rxledger \
    && /opt/rxledger/bin/pip install --no-index --find-links /wheelhouse --no-cache-dir \
        --disable-pip-version-check --quiet rxledger \
    && /opt/rxledger/bin/rxl --help > /dev/null

FROM ${BASE_IMAGE}
LABEL org.rxledger.image=node
# A fixed uid/gid so that volume ownership is the same on every host.
RUN groupadd --system --gid 10001 rxl \
    && useradd --system --uid 10001 --gid rxl --home-dir /var/lib/rxledger \
        --shell /usr/sbin/nologin rxl \
    && mkdir -p /var/lib/rxledger /etc/rxledger \
    && chown rxl:rxl /var/lib/rxledger
COPY --from=install /opt/rxledger /opt/rxledger

ENV PATH=/opt/rxledger/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RXL_HEALTH_URL=http://127.0.0.1:7100/health

# The node's LMDB environment and anything else it writes; the config, certificates, keys and
# genesis are mounted read-only under /etc/rxledger.
VOLUME ["/var/lib/rxledger"]
WORKDIR /var/lib/rxledger
USER rxl

# Healthy = the node's /health answers 200: it knows a leader and has no fork alarm.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 CMD \
    ["python3", "-c", "import os, sys, urllib.request as r\ntry:\n    r.urlopen(os.environ['RXL_HEALTH_URL'], timeout=2)\nexcept Exception as exc:\n    sys.exit(f'unhealthy: {exc}')"]

ENTRYPOINT ["rxl"]
CMD ["node", "start", "--config", "/etc/rxledger/node/node.toml"]
