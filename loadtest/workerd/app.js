// Scenarios 2-4 for workerd: a Worker in front of a SQLite-backed Durable
// Object class that runs the same counter program as edge's coordinator.
//   /read          Durable Object "main", path "/"
//   /increment     Durable Object "main", path "/increment"
//   /spread[?k=K|?n=N]  Durable Object idFromName("c<k>"), k random in [0, 1000)
//                  unless given, path "/increment"
//   /create/<name> Durable Object Store idFromName(name): a new object,
//                  created by this request, which stores one value
const SPREAD = 1000;

export class Counter {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.value = 0;
    ctx.blockConcurrencyWhile(async () => {
      this.value = (await ctx.storage.get("value")) || 0;
    });
  }

  async fetch(req) {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/increment": {
        this.value++;
        const current = this.value;
        // The output gate holds the response until the write is stored.
        await this.ctx.storage.put("value", current);
        return new Response(String(current));
      }
      case "/":
        return new Response(String(this.value));
      default:
        return new Response("not found", { status: 404 });
    }
  }
}

// The object of the create and idle-memory scenarios, the same program as
// edge's store.js: the first request stores one value and answers "new".
export class Store {
  constructor(ctx, env) {
    this.ctx = ctx;
    ctx.blockConcurrencyWhile(async () => {
      this.created = await ctx.storage.get("created");
    });
  }

  async fetch() {
    if (this.created !== undefined) {
      return new Response("old");
    }
    this.created = Date.now();
    await this.ctx.storage.put("created", this.created);
    return new Response("new");
  }
}

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    let name;
    let path;
    switch (url.pathname) {
      case "/read":
        name = "main";
        path = "/";
        break;
      case "/increment":
        name = "main";
        path = "/increment";
        break;
      case "/spread": {
        const given = url.searchParams.get("k");
        // ?n=N spreads over the first N instead (a diagnostic: cost by number of objects).
        const n = url.searchParams.get("n");
        const k = given === null ? Math.floor(Math.random() * (n === null ? SPREAD : Number(n))) : Number(given);
        name = `c${k}`;
        path = "/increment";
        break;
      }
      default:
        if (url.pathname.startsWith("/create/")) {
          const stub = env.STORE.get(env.STORE.idFromName(url.pathname.slice(8)));
          const res = await stub.fetch("http://store/");
          return new Response(await res.text(), { status: res.status });
        }
        return new Response("not found", { status: 404 });
    }
    const stub = env.COUNTER.get(env.COUNTER.idFromName(name));
    const res = await stub.fetch(`http://counter${path}`);
    return new Response(await res.text(), { status: res.status });
  },
};
