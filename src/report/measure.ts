/**
 * How wide a line of text is in Helvetica (the charts' font), from the font's metrics: charts pin
 * every position themselves, so they size their lanes and boxes before Graphviz draws them.
 */

// Advance widths of Helvetica's printable ASCII characters (space to ~), in thousandths of an em.
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667,
  667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500,
  556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** The width of `text` at `size` points, in points (a little generous: browsers' Helvetica substitutes differ). */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c < 127 ? ASCII[c - 32]! : c === 0x2026 || c === 0x2192 || c === 0x2190 ? 1000 : c >= 0x2190 ? 900 : 600;
  }
  return (w / 1000) * size * 1.06;
}

/** The widest of several lines. */
export function linesWidth(lines: readonly string[], size: number): number {
  return Math.max(0, ...lines.map((l) => textWidth(l, size)));
}

/** The longest prefix of `text` (with an ellipsis if cut) at most `width` points wide. */
export function fitText(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(chars.slice(0, mid).join('') + '…', size) <= width) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + '…';
}
