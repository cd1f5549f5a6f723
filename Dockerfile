# syntax=docker/dockerfile:1
# The kolregistry image: one static binary, no shell, running as an unprivileged user
# (docs/deployment.md, "Packaging"). Build: docker build --build-arg VERSION=v1.2.0 \
#   --build-arg COMMIT=$(git rev-parse HEAD) --build-arg DATE=$(git log -1 --format=%cI) -t kolregistry .

# --- build: the Go toolchain, the module cache and the sources; nothing of it is shipped.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=
ARG DATE=
# CGO_ENABLED=0: statically linked, so it runs on scratch; -trimpath and the commit's date keep
# the build reproducible.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -buildid= \
        -X github.com/kolregistry/kolregistry/server.version=${VERSION} \
        -X github.com/kolregistry/kolregistry/server.commit=${COMMIT} \
        -X github.com/kolregistry/kolregistry/server.date=${DATE}" \
      -o /out/kolregistry ./cmd/kolregistry
# The unprivileged user of the runtime image (no /etc/passwd tools exist there).
RUN echo 'kolregistry:x:65532:65532:kolregistry:/nonexistent:/sbin/nologin' > /out/passwd && \
    echo 'kolregistry:x:65532:' > /out/group

# --- runtime: the binary, CA certificates (TLS to Postgres, Redis, OTLP) and the user. Nothing else.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build /out/kolregistry /kolregistry
USER 65532:65532
# Inside a container the API listens on every interface; LISTEN_ADDR's default is loopback.
ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/kolregistry"]
CMD ["serve"]
