export const a = "vendored a";
