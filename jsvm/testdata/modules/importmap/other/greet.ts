export const greet = (who: string): string => `scoped hello ${who}`;
