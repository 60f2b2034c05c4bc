/** A number as a person reads it: six significant digits, no trailing zeros. */
export const fmt = (value: number): string => String(Number(value.toPrecision(6)));

export const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;

/** ANSI styling for a terminal, or none: `painter(color)("31")(text)`. */
export const painter = (color: boolean) => (code: string) => (text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
