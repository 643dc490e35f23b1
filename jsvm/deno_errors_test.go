package jsvm

import "testing"

func TestDenoHostAccessIsNotCapable(t *testing.T) {
	runJSCases(t, []jsCase{
		{"readTextFile", `return Deno.readTextFile("/etc/passwd")`, `throws NotCapable: Deno.readTextFile is not supported by edge: edge instances have no file system; bundle data with your code (import data from "./data.json" with { type: "json" }) and keep state in Deno.storage`},
		{"instanceof", `try { Deno.listen({ port: 80 }); } catch (e) { return (e instanceof Deno.errors.NotCapable) + " " + (e instanceof Error) + " " + e.message; }`, "true true Deno.listen is not supported by edge: edge instances cannot open sockets; use fetch() for HTTP and Deno.serve for incoming requests"},
		{"command", `return new Deno.Command("ls")`, "throws NotCapable: Deno.Command is not supported by edge: edge instances cannot run or signal processes"},
		{"exit", `Deno.exit(1)`, "throws NotCapable: Deno.exit is not supported by edge: edge instances cannot run or signal processes"},
		{"permissions", `const r = await Deno.permissions.query({ name: "read" }); const n = Deno.permissions.querySync({ name: "net" }); return r.state + " " + n.state;`, "denied granted"},
		{"bad permission", `return Deno.permissions.querySync({ name: "disk" })`, "throws TypeError: Deno.permissions: unknown permission name \"disk\"; expected one of read, write, net, env, sys, run, ffi, import"},
		{"openKv", `return await Deno.openKv()`, "throws NotSupported: Deno.openKv: this edge instance has no KV store; KV is available to the workers and coordinators of a project served by edge (edge serve, edge dev)"},
		{"errors", `return new Deno.errors.NotFound("x").name + " " + Object.keys(Deno.errors).length`, "NotFound 25"},
	})
}
