// typeof of the web platform globals edge aims to provide.
Deno.serve(() => {
  const names = [
    "URL", "URLSearchParams", "URLPattern", "Headers", "Request", "Response", "fetch",
    "ReadableStream", "WritableStream", "TransformStream", "ReadableStreamDefaultReader", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
    "TextEncoder", "TextDecoder", "TextEncoderStream", "TextDecoderStream", "atob", "btoa",
    "structuredClone", "Event", "EventTarget", "CustomEvent", "AbortController", "AbortSignal", "DOMException",
    "Blob", "File", "FormData", "crypto", "CryptoKey", "SubtleCrypto", "Crypto", "performance",
    "console", "queueMicrotask", "setTimeout", "setInterval", "clearTimeout", "clearInterval", "navigator", "globalThis", "self",
  ];
  const r = {};
  for (const n of names) r[n] = typeof globalThis[n];
  r.selfIsGlobal = globalThis.self === globalThis;
  return new Response(JSON.stringify(r), { headers: { "content-type": "application/json" } });
});
