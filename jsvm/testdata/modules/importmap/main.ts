import { greet } from "greet";
import { upper } from "utils/strings.ts";
import { where } from "esm";
import sub from "esm/sub";
import { serve } from "std-http";
import config from "config" with { type: "json" };
import { lib } from "https://cdn.example/lib.js";
import { a } from "https://cdn.example/pkg/a.js";
import inline from "inline";
import { otherGreet } from "./other/mod.ts";

const body = [greet("map"), upper("up"), where, sub(1), config.name, lib, a, inline, otherGreet()].join("|");
serve(() => new Response(body));
