// export default { fetch } in TypeScript, async, with the info argument.
interface Summary {
  form: string;
  body: string;
  infoType: string;
  transport: string;
}

export default {
  async fetch(req: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    const summary: Summary = {
      form: "export default async (ts)",
      body: await req.text(),
      infoType: typeof info,
      transport: info.remoteAddr.transport,
    };
    return new Response(JSON.stringify(summary), { headers: { "content-type": "application/json" } });
  },
} satisfies Deno.ServeDefaultExport;
