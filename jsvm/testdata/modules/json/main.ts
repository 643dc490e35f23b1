import data from "./data.json" with { type: "json" };
import old from "./data.json" assert { type: "json" };

const dyn = await import("./data.json", { with: { type: "json" } });
const dynOld = await import("./data.json", { assert: { type: "json" } });

export default {
  fetch: () => new Response([data.greeting, data.list.length, old.greeting, dyn.default.list[2], dynOld.default.greeting].join("|")),
};
