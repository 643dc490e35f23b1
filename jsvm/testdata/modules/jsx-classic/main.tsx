const Frag = "frag";
function h(type: unknown, props: Record<string, unknown> | null, ...children: unknown[]): string {
  const name = typeof type === "function" ? type(props) : type;
  return `${name}(${children.join(",")})`;
}
const Item = () => "item";

export default {
  fetch: () => new Response(<ul><><Item /></><li>two</li></ul>),
};
