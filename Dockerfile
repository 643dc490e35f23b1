# edge in a container: one static binary on a distroless base.
#
#   docker build -t edge .
#   docker run -v $PWD/configs/serve.yaml:/etc/edge/edge.yaml:ro -e EDGE_ADMIN_TOKEN=... edge
#
# The binary is built with CGO_ENABLED=0: the SQLite driver is pure Go, so the
# runtime image needs no libc. configs/compose_test.go checks this file
# against docker-compose.yml (build path, config path, ports, user).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /edge ./cmd/edge

# distroless/static has CA certificates (for fetch() to https) and a nonroot
# user (65532), and no shell or package manager to attack.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /edge /edge
USER nonroot:nonroot
# The data directory (.edge, SQLite only) is relative to the working
# directory, which must be writable by the user.
WORKDIR /home/nonroot
# 8080: public ingress (listen). 8081: admin API (admin.listen).
EXPOSE 8080 8081
ENTRYPOINT ["/edge"]
CMD ["serve", "--config", "/etc/edge/edge.yaml"]
