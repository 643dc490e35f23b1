import { greet } from "greet";
export const otherGreet = (): string => greet("scope");
