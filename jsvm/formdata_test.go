package jsvm

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestFormData(t *testing.T) {
	runJSCases(t, []jsCase{
		{"append and get", `const fd = new FormData(); fd.append("a", "1"); fd.append("a", 2); fd.append("b", "3");
return [fd.get("a"), typeof fd.get("a"), fd.getAll("a").join("+"), String(fd.get("zz")), fd.has("b"), fd.has("c"), fd.getAll("c").length].join("|");`,
			"1|string|1+2|null|true|false|0"},
		{"set replaces first and removes rest", `const fd = new FormData(); fd.append("a", "1"); fd.append("b", "x"); fd.append("a", "2"); fd.set("a", "3"); fd.set("c", "4");
return JSON.stringify([...fd]);`, `[["a","3"],["b","x"],["c","4"]]`},
		{"delete", `const fd = new FormData(); fd.append("a", "1"); fd.append("b", "2"); fd.append("a", "3"); fd.delete("a"); return JSON.stringify([...fd]);`, `[["b","2"]]`},
		{"blob becomes File named blob", `const fd = new FormData(); const b = new Blob(["xy"], { type: "text/x" }); fd.append("f", b);
const f = fd.get("f"); return [f instanceof File, f.name, f.type, f.size, f !== b, await f.text()].join("|");`, "true|blob|text/x|2|true|xy"},
		{"blob with filename", `const fd = new FormData(); fd.append("f", new Blob(["x"]), "a.txt"); return fd.get("f").name;`, "a.txt"},
		{"file kept as is", `const fd = new FormData(); const f = new File(["x"], "orig.txt"); fd.append("f", f); fd.append("g", f, undefined); return (fd.get("f") === f) + " " + (fd.get("g") === f);`, "true true"},
		{"file with filename re-wrapped", `const fd = new FormData(); const f = new File(["x"], "orig.txt", { type: "a/b", lastModified: 9 }); fd.set("f", f, "new.txt");
const g = fd.get("f"); return [g === f, g.name, g.type, g.lastModified, await g.text()].join("|");`, "false|new.txt|a/b|9|x"},
		{"string value with three arguments", `new FormData().append("a", "b", "c.txt");`,
			"throws TypeError: FormData.append: a filename was given, so the value must be a Blob or File (got string); pass two arguments for a string value"},
		{"too few arguments", `new FormData().append("a");`, "throws TypeError: FormData.append: 2 arguments required, but only 1 present"},
		{"get without arguments", `new FormData().get();`, "throws TypeError: FormData.get: 1 argument required, but only 0 present"},
		{"names and values are USVStrings", `const fd = new FormData(); fd.append("a\uD800", "b\uDC00"); const [[k, v]] = [...fd]; return (k === "a\uFFFD") + " " + (v === "b\uFFFD") + " " + fd.has("a\uDBFF");`,
			"true true true"},
		{"form argument", `new FormData({});`, "throws TypeError: FormData(form) is not supported by edge: there is no DOM"},
		{"undefined form", `return [...new FormData(undefined)].length;`, "0"},
		{"iteration", `const fd = new FormData(); fd.append("a", "1"); fd.append("b", "2");
return [JSON.stringify([...fd.keys()]), JSON.stringify([...fd.values()]), JSON.stringify([...fd.entries()]), FormData.prototype[Symbol.iterator] === FormData.prototype.entries].join("|");`,
			`["a","b"]|["1","2"]|[["a","1"],["b","2"]]|true`},
		{"live iteration", `const fd = new FormData(); fd.append("a", "1"); fd.append("b", "2"); const seen = [];
for (const [k] of fd) { seen.push(k); if (k === "a") { fd.delete("a"); fd.append("c", "3"); } }
return seen.join(",");`, "a,c"},
		{"forEach", `const fd = new FormData(); fd.append("a", "1"); fd.append("b", "2"); const out = [];
fd.forEach(function (v, k, o) { out.push(k + "=" + v + (o === fd) + this.x); }, { x: "!" }); return out.join(",");`, "a=1true!,b=2true!"},
		{"forEach needs a function", `new FormData().forEach(1);`, "throws TypeError: FormData.forEach: the callback is not a function"},
		{"iterator prototype", `const it = new FormData().entries(); const p = Object.getPrototypeOf(it);
return [Object.prototype.toString.call(it), typeof it[Symbol.iterator], Object.hasOwn(p, "constructor"), it.next().done].join("|");`,
			"[object FormData Iterator]|function|false|true"},
		{"toStringTag and lengths", `return [Object.prototype.toString.call(new FormData()), FormData.length, FormData.prototype.append.length, FormData.prototype.set.length, FormData.prototype.forEach.length].join("|");`,
			"[object FormData]|0|2|2|1"},
		{"global not enumerable", `return Object.keys(globalThis).includes("FormData") + " " + typeof FormData;`, "false function"},
		{"brand check", `try { FormData.prototype.get.call({}, "a"); } catch (e) { return e.message; }`,
			"Illegal invocation: FormData.prototype.get must be called on a FormData"},
		{"URLSearchParams from FormData", `const fd = new FormData(); fd.append("a", "b"); fd.append("c", "d"); const p = new URLSearchParams(fd);
fd.append("e", "f"); p.append("g", "h"); return [p.toString(), fd.has("g")].join("|");`, "a=b&c=d&g=h|false"},
		{"URLSearchParams from FormData with a file", `const fd = new FormData(); fd.append("f", new Blob(["x"])); return new URLSearchParams(fd).toString();`, "f=%5Bobject+File%5D"},
	})
}

func TestFormDataMultipart(t *testing.T) {
	runInternalJSCases(t, []jsCase{
		{"serialize", `const fd = new FormData(); fd.append("a", "1\n2\r3"); fd.append("q\"n\r\nl\r", "v"); fd.append("f", new File(["hi"], "a\"b\n.txt", { type: "text/plain" })); fd.append("g", new Blob([new Uint8Array([0, 255])]));
const { boundary, bytes, contentType } = internal.serializeMultipart(fd);
const s = new TextDecoder().decode(bytes);
const want = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n2\r\n3\r\n" +
  "--B\r\nContent-Disposition: form-data; name=\"q%22n%0D%0Al%0D%0A\"\r\n\r\nv\r\n" +
  "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a%22b%0A.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
  "--B\r\nContent-Disposition: form-data; name=\"g\"; filename=\"blob\"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\uFFFD\r\n" +
  "--B--";
return [/^----edgeFormBoundary[0-9A-Za-z]{24}$/.test(boundary), contentType === "multipart/form-data; boundary=" + boundary, s === want.replaceAll("B", boundary), bytes instanceof Uint8Array].join("|");`,
			"true|true|true|true"},
		{"random boundaries", `const a = internal.serializeMultipart(new FormData()).boundary, b = internal.serializeMultipart(new FormData()).boundary; return a !== b;`, "true"},
		{"empty form", `const { bytes, boundary } = internal.serializeMultipart(new FormData()); return new TextDecoder().decode(bytes) === "--" + boundary + "--";`, "true"},
		{"round trip", `const fd = new FormData(); fd.append("a", "x\r\ny"); fd.append("a", "é"); fd.append("f", new File([new Uint8Array([0, 1, 2, 13, 10, 45, 45])], "n.bin", { type: "application/x-thing" })); fd.append("e", new Blob([]), "");
const { bytes, contentType } = internal.serializeMultipart(fd);
const back = internal.parseMultipart(bytes, contentType);
const f = back.get("f"), e = back.get("e");
return [back instanceof FormData, JSON.stringify(back.getAll("a")), f instanceof File, f.name, f.type, Array.from(await f.bytes()).join(","), e.name === "", e.size, e.type].join("|");`,
			`true|["x\r\ny","é"]|true|n.bin|application/x-thing|0,1,2,13,10,45,45|true|0|application/octet-stream`},
		{"parse", `const body = "preamble\r\n--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--xyz  \r\ncontent-disposition: form-data; filename=\"t.txt\"; name=b\r\n\r\nfile --xyz body\r\n--xyz--\r\nepilogue";
const fd = internal.parseMultipart(new TextEncoder().encode(body), 'Multipart/Form-Data; charset=utf-8; boundary="xyz"');
const b = fd.get("b");
return [fd.get("a"), b.name, b.type, await b.text()].join("|");`, "hello|t.txt|text/plain|file --xyz body"},
		{"parse keeps escapes", `const body = "--b\r\nContent-Disposition: form-data; name=\"a%22b\"\r\n\r\n\uFEFFv\r\n--b--";
const fd = internal.parseMultipart(new TextEncoder().encode(body), "multipart/form-data; boundary=b"); const [[k, v]] = [...fd]; return k + " " + v.length;`, "a%22b 2"},
		{"parse from a view", `const raw = new TextEncoder().encode("XX--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\nYY");
return internal.parseMultipart(raw.subarray(2, raw.length - 2), "multipart/form-data; boundary=b").get("a");`, "1"},
		{"lowercased body", `const fd = new FormData(); fd.append("foo", new Blob(['{"bar":"baz"}'], { type: "application/json" }));
const { bytes, contentType } = internal.serializeMultipart(fd);
const lower = new TextEncoder().encode(new TextDecoder().decode(bytes).toLowerCase());
const back = internal.parseMultipart(lower, contentType.toLowerCase()); return back.has("foo") + " " + back.get("foo").type;`, "true application/json"},
		{"urlencoded", `const fd = internal.parseUrlencodedFormData("a=1&b=x+y&a=%C3%A9&&c"); return JSON.stringify([...fd]) + (fd instanceof FormData);`,
			`[["a","1"],["b","x y"],["a","é"],["c",""]]true`},
		{"urlencoded bytes keep BOM", `const fd = internal.parseUrlencodedFormData(new TextEncoder().encode("\uFEFFtest=\uFEFF")); const [[k, v]] = [...fd]; return k === "\uFEFFtest" && v === "\uFEFF";`, "true"},
		{"urlencoded empty", `return [...internal.parseUrlencodedFormData("")].length;`, "0"},
		{"isFormData and entries", `const fd = new FormData(); fd.append("a", "1"); const e = internal.formDataEntries(fd); e[0][1] = "z"; return [internal.isFormData(fd), internal.isFormData({}), fd.get("a")].join(",");`, "true,false,1"},
		{"inspect", `const fd = new FormData(); fd.append("a", "1"); fd.append("f", new File(["x"], "f.txt")); return internal.inspect(fd);`,
			`FormData [ [ "a", "1" ], [ "f", File [Object] ] ]`},
	})
}

func TestFormDataMultipartErrors(t *testing.T) {
	enc := func(s string) string { return fmt.Sprintf("new TextEncoder().encode(%q)", s) }
	parse := func(body, ct string) string {
		return fmt.Sprintf("internal.parseMultipart(%s, %q); return 'parsed';", enc(body), ct)
	}
	const ct = "multipart/form-data; boundary=b"
	const part = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"
	runInternalJSCases(t, []jsCase{
		{"empty body", parse("", ct), "throws TypeError: Could not parse content as FormData: the body is empty; a multipart/form-data body has at least the closing boundary"},
		{"wrong type", parse(part, "text/plain"), `throws TypeError: Could not parse content as FormData: the Content-Type is "text/plain", not multipart/form-data`},
		{"missing boundary parameter", parse(part, "multipart/form-data"), "throws TypeError: Could not parse content as FormData: the Content-Type has no boundary parameter"},
		{"boundary not in body", parse(part, "multipart/form-data; boundary=zz"), `throws TypeError: Could not parse content as FormData: the boundary "zz" from the Content-Type does not occur in the body`},
		{"truncated body", parse(part, ct), "throws TypeError: Could not parse content as FormData: the body ends inside a part; the closing boundary (--boundary--) is missing"},
		{"truncated after boundary", parse(part+"\r\n--b", ct), "throws TypeError: Could not parse content as FormData: the body ends inside a part; the closing boundary (--boundary--) is missing"},
		{"no closing boundary", parse(part+"\r\n--b\r\n", ct), "throws TypeError: Could not parse content as FormData: the body ends inside a part's headers"},
		{"truncated headers", parse("--b\r\nContent-Disposition: form-data; na", ct), "throws TypeError: Could not parse content as FormData: the body ends inside a part's headers"},
		{"no disposition", parse("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", ct), "throws TypeError: Could not parse content as FormData: a part has no Content-Disposition header"},
		{"no name", parse("--b\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nv\r\n--b--", ct), "throws TypeError: Could not parse content as FormData: a part's Content-Disposition has no name parameter"},
		{"not form-data", parse("--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--b--", ct), `throws TypeError: Could not parse content as FormData: a part's Content-Disposition is "attachment; name=\"x\"", not form-data`},
		{"unterminated quote", parse("--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\nv\r\n--b--", ct), `throws TypeError: Could not parse content as FormData: unterminated quoted string in Content-Disposition "form-data; name=\"x"`},
		{"bad header line", parse("--b\r\nnonsense\r\n\r\nv\r\n--b--", ct), `throws TypeError: Could not parse content as FormData: malformed part header line "nonsense"`},
		{"boundary without line break", parse("--bxx", ct), "throws TypeError: Could not parse content as FormData: a boundary is not followed by a line break"},
		{"huge header line", `const big = "--b\r\nContent-Disposition: form-data; name=\"" + "a".repeat(1 << 20) + "\"\r\n\r\nv\r\n--b--";
internal.parseMultipart(new TextEncoder().encode(big), "multipart/form-data; boundary=b");`,
			"throws TypeError: Could not parse content as FormData: a part's headers are longer than 16384 bytes"},
		{"only closing boundary", `return [...internal.parseMultipart(new TextEncoder().encode("--b--"), "multipart/form-data; boundary=b")].length;`, "0"},
	})
}

// TestFormDataMultipartAdversarial checks that scanning stays linear on
// inputs full of near-boundaries.
func TestFormDataMultipartAdversarial(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"near boundaries", []byte("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + strings.Repeat("\r\n--bX", 400_000))},
		{"many CRs", []byte("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + strings.Repeat("\r", 2_000_000))},
		{"many empty parts", []byte(strings.Repeat("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n", 100_000) + "--b--")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := parseMultipart(tc.body, "b")
			if tc.name == "many empty parts" {
				if err != nil || len(parts) != 100_000 {
					t.Fatalf("got %d parts, %v", len(parts), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("parsed %d parts from a body without a closing boundary", len(parts))
			}
		})
	}
}

// TestFormDataUrlencodedWPT runs WPT's urlencoded-parser data through
// internal.parseUrlencodedFormData, as Request/Response.formData() will.
func TestFormDataUrlencodedWPT(t *testing.T) {
	const path = "/work/shared/conformance/wpt/url/resources/urlencoded-parser-data.json"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("WPT data not available: %v", err)
	}
	var cases []struct {
		Input  string     `json:"input"`
		Output [][]string `json:"output"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	got := evalInternalJS(t, `const cases = `+string(raw)+`;
const bad = [];
for (const c of cases) {
  for (const input of [c.input, new TextEncoder().encode(c.input)]) {
    const out = JSON.stringify([...internal.parseUrlencodedFormData(input)]);
    if (out !== JSON.stringify(c.output)) bad.push(JSON.stringify(c.input) + " gave " + out);
  }
}
return bad.length + " of " + cases.length + " failed: " + bad.join("; ");`)
	if want := fmt.Sprintf("0 of %d failed: ", len(cases)); got != want {
		t.Fatal(got)
	}
}
