import readHost from "uses-fs";

export default { fetch: () => new Response(readHost()) };
