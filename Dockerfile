# llmref: the daemon (`llmref serve --schedule`) in a small non-root image.
#   docker build -t llmref \
#     --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) .
# The build context has no .git (.dockerignore): the version and commit
# come in as build arguments, into the binary (`llmref version`, the
# User-Agent) and the image's labels.
# See docker-compose.yml for the volume, token, health check and grace.

# --- build: the Go toolchain of go.mod's version line ---------------------
FROM golang:1.25-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG REVISION=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/llmref/llmref/internal/version.version=${VERSION} -X github.com/llmref/llmref/internal/version.revision=${REVISION}" \
      -o /out/llmref ./cmd/llmref \
 && /out/llmref help >/dev/null \
 && /out/llmref version

# --- run -----------------------------------------------------------------
FROM alpine:3.20
ARG VERSION=devel
ARG REVISION=
LABEL org.opencontainers.image.title="llmref" \
      org.opencontainers.image.description="keeps an LLM reference catalogue true: scrape, normalise, store, report, export" \
      org.opencontainers.image.source="https://github.com/llmref/llmref" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# ca-certificates: the sources are HTTPS. Time zones are compiled into the
# binary (time/tzdata), so TZ and CRON_TZ= work without tzdata here.
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 -s /sbin/nologin llmref \
 && mkdir -p /var/lib/llmref /etc/llmref \
 && chown llmref:llmref /var/lib/llmref
COPY --from=build /out/llmref /usr/local/bin/llmref
# An optional configuration file (schedules, sources, token) is read from
# /etc/llmref/llmref.yaml when mounted there.
WORKDIR /etc/llmref
USER 10001:10001
ENV TZ=UTC
VOLUME ["/var/lib/llmref"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15m --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
# SIGTERM cancels a running refresh (nothing half-committed) and drains
# requests; give it more time than a run's timeout before SIGKILL.
STOPSIGNAL SIGTERM
ENTRYPOINT ["llmref"]
CMD ["--db", "/var/lib/llmref/llmref.db", "serve", "--addr", "0.0.0.0:8080", "--schedule", "--export", "/var/lib/llmref/export"]
