/**
 * DOT to SVG in-process, with Graphviz compiled to WebAssembly (@viz-js/viz): no system Graphviz.
 */
import type { Viz } from '@viz-js/viz';

// Loaded on first use: most runs draw nothing, and Graphviz in WebAssembly is a large module.
let viz: Promise<Viz> | null = null;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const v = await viz;
  const r = v.render(dot, { format: 'svg' });
  if (r.status !== 'success') {
    const why = r.errors.map((e) => e.message.trim()).join('; ');
    throw new Error(`Graphviz could not lay out the diagram: ${why}`);
  }
  return r.output;
}

/** The SVG without its XML prolog and doctype, to embed in an HTML page. */
export function inlineSvg(svg: string): string {
  const i = svg.indexOf('<svg');
  return i < 0 ? svg : svg.slice(i);
}
