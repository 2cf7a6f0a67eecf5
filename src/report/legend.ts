/**
 * The legend under a sequence chart: a small drawing and a sentence for each kind of mark the
 * chart uses (the drawings use the chart's own colours). And the timeline's legend.
 */
import { COLORS, type Mark } from './sequence.js';

const W = 34;
const H = 14;
const svg = (body: string) => `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" aria-hidden="true">${body}</svg>`;
const head = (color: string, open = false) => `<polygon points="${W - 2},3 ${W - 9},1 ${W - 8},7" fill="${open ? 'white' : color}" stroke="${color}"/>`;
const arrow = (color: string, dash = '') => svg(`<line x1="2" y1="12" x2="${W - 5}" y2="3" stroke="${color}" stroke-width="1.3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>${head(color)}`);
const box = (fill: string, stroke = '#55606b', text = '') =>
  svg(`<rect x="3" y="1.5" width="${W - 6}" height="${H - 3}" rx="3" fill="${fill}" stroke="${stroke}"${stroke === '#55606b' ? '' : ' stroke-width="2"'}/>${text ? `<text x="${W / 2}" y="10.5" font-size="9" text-anchor="middle">${text}</text>` : ''}`);
const band = (fill: string, stroke: string, text = '') => svg(`<rect x="1" y="1" width="${W - 2}" height="${H - 2}" fill="${fill}" stroke="${stroke}" stroke-width="0.8"/>${text ? `<text x="5" y="10.5" font-size="9" fill="${stroke}">${text}</text>` : ''}`);

/** Each mark: its drawing and what it means, in the order the legend lists them. */
const ENTRIES: readonly [Mark, string, string][] = [
  ['message', arrow(COLORS.message), 'a message: one straight arrow from the step that sent it to the step that delivered it, labelled with its type and fields (key fields first)'],
  ['copy', arrow(COLORS.copy), '(copy): a copy the network made (a duplicate fault), delivered'],
  ['again', arrow(COLORS.message, '4 2'), '(again): delivered once more (a duplicating network keeps a copy)'],
  ['inflight', svg(`<line x1="2" y1="3" x2="20" y2="11" stroke="${COLORS.inflight}" stroke-dasharray="3 2"/><polygon points="23,12.5 15,11.5 19,7" fill="white" stroke="${COLORS.inflight}"/>`), 'in flight at the end: a short open stub under its sender, labelled with its receiver'],
  ['dropped', svg(`<line x1="2" y1="12" x2="24" y2="4" stroke="${COLORS.lost}" stroke-dasharray="4 2"/><text x="23" y="10" font-size="11" fill="${COLORS.lost}">✕</text>`), '✂ dropped: lost by the network (a drop fault), at the ✕'],
  ['lost', svg(`<line x1="2" y1="12" x2="${W - 4}" y2="3" stroke="${COLORS.lost}" stroke-dasharray="4 2"/><line x1="${W - 7}" y1="0.5" x2="${W - 2}" y2="5.5" stroke="${COLORS.lost}" stroke-width="1.5"/>`), 'lost: its receiver crashed before it arrived (✕ lost in the crash box), or was down when it was sent (✕ down)'],
  ['change', box('#ffffff'), "a box on a lifeline: what the step changed in that node's state (a dot: the node acted, and nothing changed)"],
  ['timeout', box(COLORS.timeout), 'timeout: one of the node’s timers fired'],
  ['local', box(COLORS.local, '#55606b', '▶'), '▶ a local step the node took on its own (a client’s request, say)'],
  ['step', box(COLORS.local), 'a step of the model, as it describes it'],
  ['crash', box(COLORS.crash, '#55606b', '✖'), '✖ crash: the node loses its volatile state, its timers and the messages in flight to it'],
  ['restart', box(COLORS.restart, '#55606b', '↻'), '↻ restart: the node comes back from its durable state'],
  ['duplicate', box(COLORS.duplicate), 'copy of …: the network copied a message in flight'],
  ['down', svg(`<line x1="${W / 2}" y1="0" x2="${W / 2}" y2="${H}" stroke="${COLORS.down}" stroke-width="1.3" stroke-dasharray="4 3"/>`), 'a dashed lifeline: the node is down'],
  ['partition', band(COLORS.partition, COLORS.partitionLine), 'a partition: the rows while it lasts; messages between its two sides wait until it heals'],
  ['lasso', band(COLORS.lasso, COLORS.lassoLine, '↺'), '↺ a lasso: these steps repeat for ever (a liveness counterexample); the arrow on the left goes back to the first of them'],
  ['violation', box('#ffffff', COLORS.violation), 'the step that breaks the property: its row in red, its box outlined, the model’s explanation in the note below'],
  ['witness', box('#ffffff', COLORS.witness), 'the step where the witness holds'],
];

/** The legend of a chart that uses `marks`. */
export function legendHtml(marks: ReadonlySet<Mark>): string {
  const items = ENTRIES.filter(([m]) => marks.has(m)).map(([, icon, text]) => `<li>${icon}<span>${text}</span></li>`);
  return items.length ? `<ul class="legend">${items.join('')}</ul>` : '';
}

/** The legend of a history timeline. */
export function timelineLegendHtml(): string {
  const bar = (fill: string, stroke: string, extra = '') => svg(`<rect x="2" y="2" width="${W - 4}" height="${H - 4}" rx="2" fill="${fill}" stroke="${stroke}"${extra}/>`);
  const items = [
    [bar('#e7f1ff', COLORS.message), 'an operation, from the step its client invoked it to the step it completed'],
    [svg(`<rect x="2" y="2" width="${W - 4}" height="${H - 4}" fill="#e7f1ff" opacity="0.6"/><path d="M${W - 2},2 H2 V${H - 2} H${W - 2}" fill="none" stroke="${COLORS.message}" stroke-dasharray="4 3"/>`), 'pending: never completed — it may have taken effect at any later time, or never'],
    [bar('#eef1f4', '#9aa5b1'), 'failed: it certainly did not take effect'],
    [bar('#fde2e2', COLORS.violation, ' stroke-width="2"'), '✗ the operation that cannot be linearized; 1., 2., … the order the checker found before it'],
  ];
  return `<ul class="legend">${items.map(([icon, text]) => `<li>${icon}<span>${text}</span></li>`).join('')}</ul>`;
}
