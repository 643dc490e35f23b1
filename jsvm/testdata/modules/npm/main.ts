import { where } from "esm-pkg";
import sub from "npm:esm-pkg@^1.2/sub";
import cjs from "cjs-pkg";
import { shout, version } from "npm:cjs-pkg@3";
import { kind } from "@edge-test/scoped";
import { extra } from "npm:@edge-test/scoped@0.1/extra.js";

const parts: string[] = [where, sub("x"), shout("hi"), version, cjs.version, kind, extra];
export default { fetch: (_req: Request) => new Response(parts.join("|")) };
