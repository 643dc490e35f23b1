package jsvm

import "testing"

// Cloning bodies and what a consumed body's stream looks like.
func TestResponseBodyStreams(t *testing.T) {
	const stream = `new ReadableStream({ start(c) { c.enqueue(chunk); c.close(); } })`
	runJSCases(t, []jsCase{
		{"clone of a stream structured-clones chunks for the copy", `const chunk = new Uint16Array([1, 2]);
const r = new Response(` + stream + `); const c = r.clone();
const a = (await r.body.getReader().read()).value, b = (await c.body.getReader().read()).value;
return [a === chunk, b === chunk, b instanceof Uint16Array, b.join(","), b.buffer !== chunk.buffer].join("|");`,
			"true|false|true|1,2|true"},
		{"clone of a stream: either side reads the whole body", `const chunk = new TextEncoder().encode("abc");
const r = new Response(` + stream + `); const c = r.clone();
return await c.text() + await r.text();`, "abcabc"},
		{"clone of a stream: cancelling one side leaves the other", `const chunk = new TextEncoder().encode("abc");
const r = new Response(` + stream + `); const c = r.clone(); r.body.cancel();
return r.bodyUsed + " " + c.bodyUsed + " " + await c.text();`, "true false abc"},
		{"clone of an uncloneable chunk errors both", `const chunk = () => 1;
const r = new Response(` + stream + `); const c = r.clone();
const e1 = await r.text().catch((e) => e.name), e2 = await c.text().catch((e) => e.name);
return e1 + " " + e2;`, "DataCloneError DataCloneError"},
		{"clone of a byte stream", `const r = new Response("xy"); r.body; const c = r.clone(); return await r.text() + await c.text();`, "xyxy"},
		{"consumed buffered body is locked", `const r = new Response("x"); const p = r.text();
const b = r.body; let e = null; try { b.getReader(); } catch (err) { e = err.name; }
return [b !== null, b.locked, e, await p].join("|");`, "true|true|TypeError|x"},
		{"consumed stream body stays locked", `const chunk = new TextEncoder().encode("s");
const r = new Response(` + stream + `); const t = await r.text();
return [t, r.body.locked, r.bodyUsed].join("|");`, "s|true|true"},
		{"consumed erroring stream stays locked", `const r = new Response(new ReadableStream({ start(c) { c.error(new RangeError("no")); } }));
const e = await r.text().catch((e) => e.name); return e + " " + r.body.locked;`, "RangeError true"},
	})
}

func TestResponseStatusIsUnsignedShort(t *testing.T) {
	runJSCases(t, []jsCase{
		{"truncated", `return new Response(null, { status: 200.9 }).status`, "200"},
		{"wrapped", `return new Response(null, { status: 65736 }).status`, "200"},
		{"string", `return new Response(null, { status: "201" }).status`, "201"},
		{"101 is out of range", `return new Response(null, { status: 101 }).status`, "throws RangeError: The status provided (101) is outside the range [200, 599]"},
	})
}
