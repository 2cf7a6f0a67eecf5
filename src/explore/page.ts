/**
 * The explorer's page: a shell with its style and its one script inline (client.js, plain browser
 * JavaScript, no framework), which draws the state it fetches from the server's JSON API.
 */
import { readFileSync } from 'node:fs';
import { escapeHtml as h } from '../report/trace.js';

// Read once: the script the page runs, served inline under the page's nonce.
const CLIENT = readFileSync(new URL('./client.js', import.meta.url), 'utf8');

const STYLE = `
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2731; margin: 0; background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid #e3e8ee; padding: .7em 1.2em; display: flex; flex-wrap: wrap; gap: .4em 1.2em; align-items: center; position: sticky; top: 0; z-index: 2; }
h1 { font-size: 1.2em; margin: 0; } h2 { font-size: .95em; margin: 0 0 .5em; color: #3b4754; text-transform: uppercase; letter-spacing: .04em; }
h3 { font-size: .85em; margin: .7em 0 .3em; color: #5f6b7a; font-weight: 600; }
.muted { color: #5f6b7a; } code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
#config { flex: 1 1 20em; font-size: 12.5px; } .toolbar { display: flex; gap: .4em; align-items: center; margin-left: auto; flex: none; }
button { font: inherit; border: 1px solid #c5ccd3; background: #fff; border-radius: 5px; padding: .25em .7em; cursor: pointer; color: #1d2731; }
button:hover:not(:disabled) { background: #eef2f6; border-color: #9aa5b1; } button:disabled { opacity: .45; cursor: default; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 26em; gap: 1em; padding: 1em 1.2em; max-width: 1600px; margin: 0 auto; }
section { background: #fff; border: 1px solid #e3e8ee; border-radius: 8px; padding: .8em 1em; }
.col { display: flex; flex-direction: column; gap: 1em; min-width: 0; }
#verdict { grid-column: 1 / -1; padding: .6em 1em; border-radius: 8px; }
.ok { background: #e6f4ea; border: 1px solid #9fd3ac; } .bad { background: #fde2e2; border: 1px solid #e8a3a3; } .warn { background: #fff3cd; border: 1px solid #f0c36d; }
#verdict .line + .line { margin-top: .2em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15em, 1fr)); gap: .7em; }
.card { border: 1px solid #d5dbe1; border-radius: 7px; padding: .5em .7em; background: #fff; }
.card.changed { border-color: #1f4e79; box-shadow: 0 0 0 1px #1f4e79 inset; }
.card.down { background: repeating-linear-gradient(135deg, #fafbfc, #fafbfc 6px, #f1f3f5 6px, #f1f3f5 12px); border-style: dashed; }
.card .head { display: flex; justify-content: space-between; align-items: baseline; gap: .5em; margin-bottom: .3em; }
.card .id { font-weight: 600; } .card .role { color: #5f6b7a; font-size: .9em; }
.badge { font-size: 11.5px; border-radius: 9px; padding: 0 .55em; white-space: nowrap; }
.badge.up { background: #d4edda; color: #1e5b2c; } .badge.down { background: #f8d7da; color: #8c1c13; }
.fields { width: 100%; border-collapse: collapse; } .fields td { padding: .05em .3em .05em 0; vertical-align: top; }
.fields td.name { color: #3b4754; white-space: nowrap; width: 1%; } .fields td.value { word-break: break-word; }
.fields tr.key td.name { font-weight: 600; } .fields tr.volatile td.name { font-style: italic; color: #8a6100; }
.fields tr.changed td { background: #fff3cd; }
.timers { margin-top: .3em; font-size: 12.5px; color: #6b5600; }
ul.plain { list-style: none; padding: 0; margin: 0; } ul.plain li { padding: .12em 0; }
.held { color: #8a6100; } .count { color: #7b3fa0; font-weight: 600; }
.group + .group { margin-top: .2em; }
.steps { display: flex; flex-direction: column; gap: .3em; }
.steps button { text-align: left; display: flex; justify-content: space-between; gap: .6em; align-items: baseline; }
.steps button .label { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-word; }
.steps button.fault { border-color: #e8b4b8; } .steps button.fault:hover { background: #fdf0f0; }
.steps button.breaks { border-color: #c0392b; } .tag { font-size: 11.5px; white-space: nowrap; } .tag.breaks { color: #c0392b; font-weight: 600; } .tag.same { color: #8a94a0; }
.steps button.next { outline: 2px dashed #1f4e79; outline-offset: 1px; }
ol.path { margin: 0; padding-left: 2.2em; } ol.path li { cursor: pointer; padding: .08em .3em; border-radius: 4px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
ol.path li:hover { background: #eef2f6; } ol.path li.here { background: #e7f1ff; font-weight: 600; } ol.path li.ahead { color: #9aa5b1; }
.diagram { overflow: auto; } .diagram svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.diagram g.label, .diagram g.mark { cursor: pointer; } .diagram g.label:hover text { fill: #1f4e79; }
ul.legend { list-style: none; padding: 0; margin: .6em 0 0; columns: 2 22em; font-size: 12.5px; color: #3b4754; }
ul.legend li { display: flex; gap: .5em; align-items: flex-start; break-inside: avoid; margin-bottom: .25em; } ul.legend svg { flex: none; margin-top: .15em; }
.find { display: flex; gap: .4em; flex-wrap: wrap; align-items: center; } select { font: inherit; max-width: 100%; padding: .2em; }
#found { margin-top: .5em; } p.note { font-size: 12px; margin: .4em 0 0; } #error { grid-column: 1 / -1; } .hidden { display: none; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
`;

/** The page for a model titled `title`; `nonce` is the one its CSP lets run. */
export function explorerPage(title: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${h(title)} — faultline explore</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${h(title)}</h1><span class="muted" id="config"></span>
  <div class="toolbar">
    <button id="back" title="the step before (←)">◀ back</button>
    <button id="forward" title="the next step of the path (→)">forward ▶</button>
    <button id="start" title="the initial state (the path stays, for forward)">⇤ start</button>
    <span class="muted mono" id="where"></span>
  </div>
</header>
<main>
  <div id="error" class="bad hidden"></div>
  <div id="verdict"></div>
  <div class="col">
    <section id="state"><h2>State</h2><div id="cards" class="cards"></div><p class="muted note" id="key"></p><div id="world"></div></section>
    <section><h2>Sequence chart</h2><p class="muted" style="margin:0 0 .5em">The path so far, drawn as the reports draw a counterexample. Click a row to go back to it.</p><div id="chart" class="diagram"></div><div id="legend"></div></section>
  </div>
  <div class="col">
    <section><h2>Next step</h2><div id="enabled"></div></section>
    <section><h2>Find</h2>
      <div class="find"><span>the shortest path from here to a state where</span><select id="target"></select><button id="search">find</button></div>
      <div id="found" class="muted"></div>
    </section>
    <section><h2>Path</h2><ol class="path" id="path" start="0"></ol></section>
  </div>
</main>
<script nonce="${h(nonce)}">
${CLIENT}
</script>
</body>
</html>
`;
}
