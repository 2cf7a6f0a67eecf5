/**
 * DOT to SVG in-process, with Graphviz compiled to WebAssembly (@viz-js/viz): no system Graphviz.
 */
import type { Viz } from '@viz-js/viz';

// Loaded on first use: most runs draw nothing, and Graphviz in WebAssembly is a large module.
let viz: Promise<Viz> | null = null;

/**
 * Lay out and draw `dot` (`engine` `nop2` draws a graph whose positions are all given, as
 * `neato -n2` does). Every node and edge with a tooltip gets it as its `<title>`, in place of
 * the Graphviz name Graphviz writes there (`n5_2->n10_0`), so hovering shows the whole text.
 */
export async function renderSvg(dot: string, engine: 'dot' | 'nop2' = 'dot'): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const v = await viz;
  const r = v.render(dot, { format: 'svg', engine });
  if (r.status !== 'success') {
    const why = r.errors.map((e) => e.message.trim()).join('; ');
    throw new Error(`Graphviz could not lay out the diagram: ${why}`);
  }
  return tooltipsAsTitles(r.output);
}

/**
 * Graphviz writes a tooltip as a link's `xlink:title` inside the element, after a `<title>` naming
 * the element by its Graphviz id: the tooltip becomes the `<title>`, and the link an unlinked group.
 */
export function tooltipsAsTitles(svg: string): string {
  return svg
    .replace(/<title>[^<]*<\/title>\n<g id="(a_[^"]*)"><a xlink:title="([^"]*)">/g, '<title>$2</title>\n<g id="$1">')
    .replace(/<\/a>\n<\/g>/g, '</g>');
}

/**
 * Reorder a Graphviz SVG's nodes and edges into layers, bottom first, by their first class (one of
 * `layers`; others stay at the bottom, in their order): SVG paints in document order, and
 * Graphviz's own choice is all nodes before all edges or the reverse.
 */
export function inLayers(svg: string, layers: readonly string[]): string {
  const start = svg.search(/<!-- [^\n]* -->\n<g id=/);
  const end = svg.lastIndexOf('</g>\n</svg>');
  if (start < 0 || end < start) return svg;
  const parts = svg.slice(start, end).split(/(?=<!-- [^\n]* -->\n<g id=)/);
  const rank = (part: string) => {
    const cls = /<g id="[^"]*" class="(?:node|edge) ([^" ]+)/.exec(part)?.[1];
    return cls === undefined ? -1 : layers.indexOf(cls);
  };
  const sorted = parts.map((p, i) => ({ p, i, r: rank(p) })).sort((a, b) => a.r - b.r || a.i - b.i);
  return svg.slice(0, start) + sorted.map((x) => x.p).join('') + svg.slice(end);
}

/** The SVG without its XML prolog and doctype, to embed in an HTML page. */
export function inlineSvg(svg: string): string {
  const i = svg.indexOf('<svg');
  return i < 0 ? svg : svg.slice(i);
}
