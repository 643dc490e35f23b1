// Response.json(): returned as is.
Deno.serve(() => Response.json({ a: 1, b: [true, null], c: "é" }, { status: 201, headers: { "x-a": "b" } }));
