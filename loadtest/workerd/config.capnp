# workerd config for the benchmark. The harness runs
#   workerd serve config.capnp \
#     --socket-addr hello=127.0.0.1:P1 --socket-addr app=127.0.0.1:P2 \
#     --directory-path do-storage=<temp dir>
# Durable Objects are SQLite-backed (enableSql) and stored on local disk
# (durableObjectStorage = localDisk), one SQLite file per object.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "hello", worker = .helloWorker),
    (name = "app", worker = .appWorker),
    (name = "do-storage", disk = (path = "/tmp/edge-loadtest-workerd-do", writable = true)),
  ],
  sockets = [
    (name = "hello", address = "127.0.0.1:8081", http = (), service = "hello"),
    (name = "app", address = "127.0.0.1:8082", http = (), service = "app"),
  ],
);

const helloWorker :Workerd.Worker = (
  modules = [(name = "hello.js", esModule = embed "hello.js")],
  compatibilityDate = "2025-01-01",
);

const appWorker :Workerd.Worker = (
  modules = [(name = "app.js", esModule = embed "app.js")],
  compatibilityDate = "2025-01-01",
  bindings = [
    (name = "COUNTER", durableObjectNamespace = "Counter"),
    (name = "STORE", durableObjectNamespace = "Store"),
  ],
  durableObjectNamespaces = [
    (className = "Counter", uniqueKey = "edge-loadtest-counter", enableSql = true),
    (className = "Store", uniqueKey = "edge-loadtest-store", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
);
