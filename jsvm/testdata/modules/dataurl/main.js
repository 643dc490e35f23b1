import one from "data:application/javascript,export default 1";
import { two } from "data:text/javascript;charset=utf-8,export%20const%20two%20%3D%202%3B";
import three from "data:text/javascript;base64,ZXhwb3J0IGRlZmF1bHQgMzs=";
import four from "data:application/typescript,export default (4 as number)";
import cfg from "data:application/json,{\"five\":5}" with { type: "json" };

export default { fetch: () => new Response([one, two, three, four, cfg.five].join("|")) };
