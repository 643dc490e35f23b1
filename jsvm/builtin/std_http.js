// edge's built-in stand-in for the Deno standard library's HTTP module,
// imported as jsr:@std/http (any version, any of its subpaths) or
// https://deno.land/std@<version>/http/{server,status,cookie,file_server}.ts.
// It offers what a handler needs from it on edge, written for edge.

// serve(handler, options?): the std server's entry point, on Deno.serve.
export function serve(handler, options) {
  if (typeof handler !== "function") {
    throw new TypeError("serve: the first argument must be a request handler function");
  }
  return Deno.serve(options ?? {}, handler);
}

function noFiles(name) {
  return function () {
    throw new TypeError(`${name} is not supported by edge: instances have no file system; import static assets into your bundle (with { type: "json" } or as strings) or serve them from elsewhere`);
  };
}
export const serveDir = noFiles("serveDir");
export const serveFile = noFiles("serveFile");

// STATUS_TEXT maps a status code to its reason phrase; STATUS_CODE maps the
// phrase's name (PascalCase, as the standard library spells it) to the code.
const reasons = [
  [100, "Continue"], [101, "Switching Protocols"], [102, "Processing"], [103, "Early Hints"],
  [200, "OK"], [201, "Created"], [202, "Accepted"], [203, "Non-Authoritative Information"],
  [204, "No Content"], [205, "Reset Content"], [206, "Partial Content"], [207, "Multi-Status"],
  [208, "Already Reported"], [226, "IM Used"],
  [300, "Multiple Choices"], [301, "Moved Permanently"], [302, "Found"], [303, "See Other"],
  [304, "Not Modified"], [305, "Use Proxy"], [307, "Temporary Redirect"], [308, "Permanent Redirect"],
  [400, "Bad Request"], [401, "Unauthorized"], [402, "Payment Required"], [403, "Forbidden"],
  [404, "Not Found"], [405, "Method Not Allowed"], [406, "Not Acceptable"],
  [407, "Proxy Authentication Required"], [408, "Request Timeout"], [409, "Conflict"], [410, "Gone"],
  [411, "Length Required"], [412, "Precondition Failed"], [413, "Content Too Large"],
  [414, "URI Too Long"], [415, "Unsupported Media Type"], [416, "Range Not Satisfiable"],
  [417, "Expectation Failed"], [418, "I'm a teapot"], [421, "Misdirected Request"],
  [422, "Unprocessable Entity"], [423, "Locked"], [424, "Failed Dependency"], [425, "Too Early"],
  [426, "Upgrade Required"], [428, "Precondition Required"], [429, "Too Many Requests"],
  [431, "Request Header Fields Too Large"], [451, "Unavailable For Legal Reasons"],
  [500, "Internal Server Error"], [501, "Not Implemented"], [502, "Bad Gateway"],
  [503, "Service Unavailable"], [504, "Gateway Timeout"], [505, "HTTP Version Not Supported"],
  [506, "Variant Also Negotiates"], [507, "Insufficient Storage"], [508, "Loop Detected"],
  [510, "Not Extended"], [511, "Network Authentication Required"],
];
const names = { 200: "OK", 226: "IMUsed", 418: "Teapot", 505: "HTTPVersionNotSupported", 414: "URITooLong" };
export const STATUS_TEXT = Object.freeze(Object.fromEntries(reasons));
export const STATUS_CODE = Object.freeze(Object.fromEntries(reasons.map(([code, text]) =>
  [names[code] ?? text.replace(/[^A-Za-z ]/g, "").split(" ").map((w) => w[0].toUpperCase() + w.slice(1)).join(""), code])));
export function isInformationalStatus(s) { return s >= 100 && s < 200; }
export function isSuccessfulStatus(s) { return s >= 200 && s < 300; }
export function isRedirectStatus(s) { return [301, 302, 303, 307, 308].includes(s); }
export function isClientErrorStatus(s) { return s >= 400 && s < 500; }
export function isServerErrorStatus(s) { return s >= 500 && s < 600; }
export function isErrorStatus(s) { return s >= 400 && s < 600; }

// Cookies (RFC 6265): read the Cookie header, write Set-Cookie headers.
export function getCookies(headers) {
  const out = {};
  const header = headers.get("cookie");
  if (header === null) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== "") out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^"?[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*"?$/;
export function setCookie(headers, cookie) {
  const { name, value } = cookie;
  if (!TOKEN.test(name)) throw new TypeError(`setCookie: invalid cookie name ${JSON.stringify(name)}`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`setCookie: invalid cookie value ${JSON.stringify(value)}`);
  const parts = [`${name}=${value}`];
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (typeof cookie.maxAge === "number" && Number.isInteger(cookie.maxAge)) {
    if (cookie.maxAge < 0) throw new TypeError("setCookie: maxAge must be a non-negative integer");
    parts.push(`Max-Age=${cookie.maxAge}`);
  }
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires) {
    const d = typeof cookie.expires === "number" ? new Date(cookie.expires) : cookie.expires;
    parts.push(`Expires=${d.toUTCString()}`);
  }
  if (cookie.partitioned) parts.push("Partitioned");
  if (Array.isArray(cookie.unparsed)) parts.push(...cookie.unparsed);
  headers.append("set-cookie", parts.join("; "));
}
export function deleteCookie(headers, name, attributes = {}) {
  setCookie(headers, { name, value: "", expires: new Date(0), ...attributes });
}
export function getSetCookies(headers) {
  return headers.getSetCookie().map((line) => {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    const c = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
    for (const a of attrs) {
      const [k, v = ""] = a.split("=").map((s) => s.trim());
      switch (k.toLowerCase()) {
        case "expires": c.expires = new Date(v); break;
        case "max-age": c.maxAge = Number(v); break;
        case "domain": c.domain = v; break;
        case "path": c.path = v; break;
        case "secure": c.secure = true; break;
        case "httponly": c.httpOnly = true; break;
        case "samesite": c.sameSite = v; break;
        case "partitioned": c.partitioned = true; break;
      }
    }
    return c;
  });
}
