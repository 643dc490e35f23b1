import { render } from "tiny-jsx";

function Greeting({ name }: { name: string }) {
  return <p class="greeting">hi {name}</p>;
}

function Broken(): never {
  throw new Error("broken component");
}

Deno.serve((req: Request) => {
  if (new URL(req.url).pathname === "/boom") {
    return new Response(render(<Broken />));
  }
  return new Response(render(<><Greeting name="tsx" /><b>&lt;ok</b></>));
});
