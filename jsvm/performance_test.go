package jsvm

import (
	"fmt"
	"testing"
	"time"
)

func TestPerformance(t *testing.T) {
	before := float64(time.Now().UnixMicro()) / 1000
	got := evalJS(t, `return performance.timeOrigin;`)
	after := float64(time.Now().UnixMicro()) / 1000
	var origin float64
	if _, err := fmt.Sscan(got, &origin); err != nil || origin < before-1 || origin > after+1 {
		t.Fatalf("timeOrigin = %s, want between %f and %f", got, before, after)
	}
	runJSCases(t, []jsCase{
		{"now is monotonic, in ms, advances", `const a = performance.now(); await new Promise((r) => setTimeout(r, 20)); const b = performance.now();
return [typeof a, a >= 0, b - a >= 15, b - a < 2000].join();`, "number,true,true,true"},
		{"sub-millisecond precision", `const seen = new Set(); for (let i = 0; i < 2000 && seen.size < 3; i++) seen.add(performance.now() % 1 !== 0); return seen.has(true);`, "true"},
		{"toJSON", `const j = performance.toJSON(); return Object.keys(j).join() + " " + (j.timeOrigin === performance.timeOrigin);`, "timeOrigin true"},
		{"classes", `return [String(performance), performance instanceof Performance, Object.keys(globalThis).includes("performance"), typeof Performance.prototype.now].join();`, "[object Performance],true,false,function"},
		{"not constructible", `new Performance();`, "throws TypeError: Illegal constructor: use the global performance object"},
		{"illegal invocation", `performance.now.call({});`, "throws TypeError: Performance.now: illegal invocation (call it on performance)"},
		{"mark", `const m = performance.mark("a", { detail: { x: [1] } }); const d = { y: 1 };
const m2 = performance.mark("b", { startTime: 5, detail: d });
return [m instanceof PerformanceMark, m instanceof PerformanceEntry, String(m), m.name, m.entryType, m.duration, m.startTime > 0, m.detail.x[0], m2.startTime, m2.detail !== d, JSON.stringify(m2)].join();`,
			`true,true,[object PerformanceMark],a,mark,0,true,1,5,true,{"name":"b","entryType":"mark","startTime":5,"duration":0,"detail":{"y":1}}`},
		{"mark without detail", `return String(performance.mark("a").detail);`, "null"},
		{"mark negative startTime", `performance.mark("a", { startTime: -1 });`, "throws TypeError: Failed to construct 'PerformanceMark': startTime must not be negative"},
		{"new PerformanceMark is not recorded", `const m = new PerformanceMark("x", { startTime: 3 }); return m.startTime + " " + performance.getEntries().length;`, "3 0"},
		{"mark needs a name", `performance.mark();`, "throws TypeError: Failed to execute 'mark' on 'Performance': 1 argument required, but only 0 present"},
		{"measure between marks", `performance.mark("s", { startTime: 10 }); performance.mark("e", { startTime: 25 }); const m = performance.measure("m", "s", "e");
return [m instanceof PerformanceMeasure, m.entryType, m.startTime, m.duration, m.detail].join();`, "true,measure,10,15,"},
		{"measure with options", `performance.mark("s", { startTime: 10 });
const a = performance.measure("a", { start: "s", duration: 5, detail: 1 }); const b = performance.measure("b", { end: 30, duration: 5 }); const c = performance.measure("c", { start: 2, end: 3 });
return [a.startTime, a.duration, a.detail, b.startTime, b.duration, c.startTime, c.duration].join();`, "10,5,1,25,5,2,1"},
		{"measure from origin to now", `const m = performance.measure("m"); return m.startTime + " " + (m.duration > 0);`, "0 true"},
		{"measure from a mark to now", `performance.mark("s"); const m = performance.measure("m", "s"); return m.duration >= 0 && m.startTime > 0;`, "true"},
		{"measure unknown mark", `try { performance.measure("m", "nope"); } catch (e) { return e.name + ": " + e.message; }`, `SyntaxError: Failed to execute 'measure' on 'Performance': there is no mark named "nope"; call performance.mark("nope") first`},
		{"measure options and end mark", `performance.measure("m", { start: 1 }, "x");`, "throws TypeError: Failed to execute 'measure' on 'Performance': pass either a measure options object or an end mark, not both"},
		{"measure options without start or end", `performance.measure("m", { duration: 1 });`, `throws TypeError: Failed to execute 'measure' on 'Performance': the measure options need a "start" or an "end"`},
		{"measure all three", `performance.measure("m", { start: 1, end: 2, duration: 1 });`, `throws TypeError: Failed to execute 'measure' on 'Performance': the measure options may not have "start", "duration" and "end" all at once`},
		{"PerformanceMeasure not constructible", `new PerformanceMeasure("m");`, "throws TypeError: Illegal constructor: measures come from performance.measure()"},
		{"entries sorted and filtered", `performance.mark("b", { startTime: 20 }); performance.mark("a", { startTime: 10 }); performance.measure("a", { start: 15, end: 16 });
const names = (l) => l.map((e) => e.name + "@" + e.startTime).join(" ");
return [names(performance.getEntries()), names(performance.getEntriesByType("mark")), names(performance.getEntriesByName("a")), names(performance.getEntriesByName("a", "measure")), performance.getEntriesByType("paint").length].join(" | ");`,
			"a@10 a@15 b@20 | a@10 b@20 | a@10 a@15 | a@15 | 0"},
		{"clear", `performance.mark("a"); performance.mark("b"); performance.measure("m"); performance.measure("n");
performance.clearMarks("a"); const one = performance.getEntries().map((e) => e.name).join(); performance.clearMarks(); performance.clearMeasures("m"); const two = performance.getEntries().map((e) => e.name).join(); performance.clearMeasures();
return one + " " + two + " " + performance.getEntries().length;`, "m,n,b n 0"},
	})
}
