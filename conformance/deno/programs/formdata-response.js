// A FormData body returned as is: the multipart encoding on the wire (the
// harness replaces the random boundary).
Deno.serve(() => {
  const fd = new FormData();
  fd.append("field", "value");
  fd.append("esc\"aped", "line\nbreak");
  fd.append("file", new File(["file contents"], "a\"b.txt", { type: "text/plain" }));
  fd.append("blob", new Blob(["raw"]));
  return new Response(fd);
});
