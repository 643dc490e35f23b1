// Deno.errors, and the parts of the Deno namespace that reach the host
// machine (files, sockets, subprocesses, the process itself). An instance
// has no host access, so each of these throws Deno.errors.NotCapable at the
// call with what to do instead, never a silent no-op. deno.js assembles the
// namespace from internal.denoErrors and internal.denoDenied.
(function (globalThis, host, internal) {
  "use strict";

  // The error classes Deno exposes; user code tests them with instanceof.
  const names = [
    "NotFound", "PermissionDenied", "ConnectionRefused", "ConnectionReset", "ConnectionAborted",
    "NotConnected", "AddrInUse", "AddrNotAvailable", "BrokenPipe", "AlreadyExists", "InvalidData",
    "TimedOut", "Interrupted", "WriteZero", "WouldBlock", "UnexpectedEof", "BadResource", "Http",
    "Busy", "NotSupported", "FilesystemLoop", "IsADirectory", "NetworkUnreachable", "NotADirectory",
    "NotCapable",
  ];
  const errors = {};
  for (const name of names) {
    const cls = class extends Error {
      constructor(message, options) {
        super(message, options);
        Object.defineProperty(this, "name", { value: name, writable: true, configurable: true, enumerable: false });
      }
    };
    Object.defineProperty(cls, "name", { value: name });
    errors[name] = cls;
  }
  internal.denoErrors = Object.freeze(errors);

  const denied = {};
  const FILES = "edge instances have no file system; bundle data with your code (import data from \"./data.json\" with { type: \"json\" }) and keep state in Deno.storage";
  const NET = "edge instances cannot open sockets; use fetch() for HTTP and Deno.serve for incoming requests";
  const PROC = "edge instances cannot run or signal processes";
  const SYS = "edge instances cannot see the host machine";
  const groups = [
    [FILES, [
      "readFile", "readFileSync", "readTextFile", "readTextFileSync", "writeFile", "writeFileSync",
      "writeTextFile", "writeTextFileSync", "open", "openSync", "create", "createSync", "readDir",
      "readDirSync", "stat", "statSync", "lstat", "lstatSync", "mkdir", "mkdirSync", "remove",
      "removeSync", "rename", "renameSync", "copyFile", "copyFileSync", "makeTempDir",
      "makeTempDirSync", "makeTempFile", "makeTempFileSync", "realPath", "realPathSync",
      "readLink", "readLinkSync", "symlink", "symlinkSync", "link", "linkSync", "chmod", "chmodSync",
      "chown", "chownSync", "truncate", "truncateSync", "utime", "utimeSync", "watchFs", "chdir",
      "cwd", "umask",
    ]],
    [NET, ["listen", "listenTls", "listenDatagram", "connect", "connectTls", "startTls", "resolveDns", "serveHttp"]],
    [PROC, ["Command", "run", "kill", "exit", "addSignalListener", "removeSignalListener"]],
    [SYS, ["hostname", "osRelease", "osUptime", "loadavg", "networkInterfaces", "systemMemoryInfo", "uid", "gid", "execPath", "dlopen", "memoryUsage"]],
  ];
  for (const [why, list] of groups) {
    for (const name of list) {
      const fail = function () {
        throw new errors.NotCapable(`Deno.${name} is not supported by edge: ${why}`);
      };
      Object.defineProperty(fail, "name", { value: name });
      denied[name] = fail;
    }
  }
  internal.denoDenied = denied;

  // Deno.permissions answers truthfully: everything that needs a flag in
  // Deno is denied here, and cannot be requested.
  // PermissionStatus is an EventTarget, which loads before this file.
  class PermissionStatus extends EventTarget {
    #state;
    constructor(state) { super(); this.#state = state; this.onchange = null; }
    get state() { return this.#state; }
    get partial() { return false; }
    get [Symbol.toStringTag]() { return "PermissionStatus"; }
  }
  const KNOWN = ["read", "write", "net", "env", "sys", "run", "ffi", "import"];
  function status(desc) {
    if (desc === null || typeof desc !== "object" || !KNOWN.includes(desc.name)) {
      throw new TypeError(`Deno.permissions: unknown permission name ${internal.inspect(desc && desc.name)}; expected one of ${KNOWN.join(", ")}`);
    }
    // Configured variables are readable; fetch() may reach the network
    // (subject to the outbound policy); bundled imports are resolved.
    const granted = desc.name === "env" || desc.name === "net" || desc.name === "import";
    return new PermissionStatus(granted ? "granted" : "denied");
  }
  internal.denoPermissions = {
    query(desc) { try { return Promise.resolve(status(desc)); } catch (e) { return Promise.reject(e); } },
    querySync: status,
    request(desc) { try { return Promise.resolve(status(desc)); } catch (e) { return Promise.reject(e); } },
    requestSync: status,
    revoke(desc) { try { return Promise.resolve(status(desc)); } catch (e) { return Promise.reject(e); } },
    revokeSync: status,
  };
})
