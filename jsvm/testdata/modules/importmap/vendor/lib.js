export const lib = "vendored lib";
