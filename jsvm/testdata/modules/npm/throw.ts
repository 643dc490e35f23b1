import { fail } from "npm:esm-pkg";

Deno.serve(() => fail("bad input"));
