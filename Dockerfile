# Production image: a static binary on distroless (no shell, runs as nonroot).
#   docker build -t conpro .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://... conpro

FROM golang:1.26-bookworm AS build
# Build with the release go.mod's toolchain line names (security fixes of
# the standard library), not whatever 1.26 patch the image has.
ENV GOTOOLCHAIN=auto
WORKDIR /src
# Dependencies first, so this layer stays cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -tags nodynamic -trimpath -ldflags='-s -w' -o /out/conpro ./cmd/conpro

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/conpro /conpro
USER nonroot
EXPOSE 8080
# Listen on all interfaces inside the container (the default is 127.0.0.1).
ENV CONPRO_ADDR=:8080
# Consent choices made while the database is down wait here; mount a
# persistent volume on it so that a restart does not lose them.
ENV CONPRO_SPOOL_DIR=/tmp/conpro-spool
VOLUME ["/tmp/conpro-spool"]
ENTRYPOINT ["/conpro"]
CMD ["serve"]
