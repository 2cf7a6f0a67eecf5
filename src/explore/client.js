// The explorer page's script (served inline by page.ts; plain browser JavaScript, no framework).
// It fetches the state at a path from the server's JSON API and draws it; the URL holds the path,
// so a state can be reloaded or shared. Every text from the model is set as text, never as HTML;
// the chart's SVG comes from the reports' renderer, which escapes what it draws.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? '';
  const parse = (text) => (text ? text.split('.').map(Number) : [0]);
  /** The path shown, and the longest path it is a prefix of (what "forward" walks). */
  let path = parse(params.get('path'));
  let trail = path.slice();
  /** The labels of the trail's steps, as far as they have been shown. */
  let known = [];
  let busy = 0;

  const api = async (what, extra) => {
    const q = new URLSearchParams({ token, path: path.join('.'), ...extra });
    const r = await fetch(`/api/${what}?${q}`);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
    return body;
  };
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  };
  const isPrefix = (a, b) => a.length <= b.length && a.every((x, i) => x === b[i]);
  /** A new trail: the labels known stay for the steps it shares with the old one. */
  const setTrail = (t) => {
    let k = 0;
    while (k < t.length && k < trail.length && t[k] === trail[k]) k++;
    known = known.slice(0, k);
    trail = t.slice();
  };

  /** Go to a path: fetch its state and chart, draw them, and put the path in the URL. */
  async function go(next, push = true) {
    const mine = ++busy;
    path = next.slice();
    if (!isPrefix(path, trail)) setTrail(path);
    if (push) {
      const q = new URLSearchParams({ token, path: path.join('.') });
      history.pushState({ path, trail }, '', `?${q}`);
    }
    try {
      const state = await api('state');
      if (mine !== busy) return;
      $('error').classList.add('hidden');
      draw(state);
    } catch (e) {
      if (mine !== busy) return;
      showError(e);
      return;
    }
    try {
      const chart = await api('chart');
      if (mine !== busy) return;
      drawChart(chart);
    } catch (e) {
      if (mine === busy) showError(e);
    }
  }

  function showError(e) {
    const box = $('error');
    box.replaceChildren(el('strong', {}, 'Cannot show this path: '), String(e.message ?? e), ' ', el('button', { onclick: () => go([0]) }, 'go to the start'));
    box.classList.remove('hidden');
    box.style.padding = '.6em 1em';
    box.style.borderRadius = '8px';
  }

  function draw(s) {
    const info = s.info;
    const cfg = [
      Object.keys(info.params).length ? 'params ' + Object.entries(info.params).map(([k, v]) => `${k}=${v}`).join(', ') : '',
      info.faults ? 'faults ' + (Object.entries(info.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(', ') || 'none') : '',
    ].filter(Boolean);
    $('config').textContent = cfg.join(' · ');
    $('where').textContent = `step ${path.length - 1} · path ${path.join('.')}`;
    $('back').disabled = path.length <= 1;
    $('forward').disabled = trail.length <= path.length;
    $('start').disabled = path.length <= 1;
    drawVerdict(s);
    drawState(s.view);
    drawEnabled(s);
    drawPath(s);
    drawTargets(s);
  }

  function drawVerdict(s) {
    const lines = [];
    const broken = s.invariants.filter((i) => !i.holds);
    for (const i of broken) lines.push(el('div', { class: 'line' }, el('strong', {}, `✗ ${i.name} violated`), i.explanation ? ` — ${i.explanation}` : ''));
    if (s.deadlock) lines.push(el('div', { class: 'line' }, el('strong', {}, '✗ deadlock'), ' — no step is possible here'));
    const held = s.witnesses.filter((w) => w.holds).map((w) => w.name);
    if (!broken.length && !s.deadlock)
      lines.push(el('div', { class: 'line' }, s.invariants.length ? `✓ ${s.invariants.length === 1 ? 'the invariant holds' : `all ${s.invariants.length} invariants hold`} here: ${s.invariants.map((i) => i.name).join(', ')}` : 'the model declares no invariants'));
    if (held.length) lines.push(el('div', { class: 'line' }, `★ witness ${held.join(', ')} holds here`));
    if (s.beyond) lines.push(el('div', { class: 'line' }, '⚠ this state lies beyond the model’s constraint: check does not explore past it'));
    const v = $('verdict');
    v.className = broken.length || s.deadlock ? 'bad' : s.beyond ? 'warn' : 'ok';
    v.replaceChildren(...lines);
  }

  const fieldRows = (fields) =>
    el('table', { class: 'fields' }, el('tbody', {}, fields.map((f) =>
      el('tr', { class: [f.key ? 'key' : '', f.volatile ? 'volatile' : '', f.changed ? 'changed' : ''].join(' ').trim(), title: f.volatile ? 'volatile: lost on a crash' : undefined },
        el('td', { class: 'name mono' }, f.name), el('td', { class: 'value mono' }, f.value)))));

  function drawState(view) {
    const cards = $('cards');
    const world = $('world');
    const key = $('key');
    if (view.kind === 'plain') {
      cards.replaceChildren(el('div', { class: 'card', 'data-node': 'state' }, fieldRows(view.fields)));
      key.textContent = 'Highlighted: changed by the last step.';
      world.replaceChildren();
      return;
    }
    const volatile = view.nodes.some((n) => n.fields.some((f) => f.volatile));
    key.textContent = `Highlighted: changed by the last step (a card outlined: that node changed).${volatile ? ' Italic: volatile, reset by a crash; the other fields are durable.' : ''}`;
    cards.replaceChildren(...view.nodes.map((n) =>
      el('div', { class: `card${n.up ? '' : ' down'}${n.changed ? ' changed' : ''}`, 'data-node': n.id },
        el('div', { class: 'head' }, el('span', {}, el('span', { class: 'id' }, n.id), n.role !== n.id ? el('span', { class: 'role' }, ` (${n.role})`) : ''),
          el('span', { class: `badge ${n.up ? 'up' : 'down'}` }, n.up ? 'up' : 'down')),
        fieldRows(n.fields),
        n.timers.length ? el('div', { class: 'timers' }, `timers armed: ${n.timers.join(', ')}`) : null)));
    const parts = [];
    parts.push(el('h3', {}, `Messages in flight (${view.inFlight.reduce((k, m) => k + m.count, 0)})`));
    parts.push(view.inFlight.length
      ? el('ul', { class: 'plain', id: 'inflight' }, view.inFlight.map((m) =>
          el('li', { class: 'mono' }, m.text, m.count > 1 ? el('span', { class: 'count' }, ` ×${m.count}`) : '', m.held ? el('span', { class: 'held' }, ' — held by the partition') : '')))
      : el('div', { class: 'muted' }, 'none'));
    parts.push(el('h3', {}, 'Partition'));
    parts.push(el('div', { id: 'partition', class: view.partition ? 'held' : 'muted' }, view.partition ? `${view.partition[0].join(', ')}  |  ${view.partition[1].join(', ')}` : 'none: every node reaches every other'));
    if (view.budgets.length) {
      parts.push(el('h3', {}, 'Fault budgets left'));
      parts.push(el('div', { id: 'budgets' }, view.budgets.map((b, i) => el('span', { class: 'mono' }, `${i ? ' · ' : ''}${b.kind} ${b.left} of ${b.total}`))));
    }
    if (view.other.length) {
      parts.push(el('h3', {}, 'Also in the world'));
      parts.push(fieldRows(view.other));
    }
    world.replaceChildren(...parts);
  }

  function drawEnabled(s) {
    const box = $('enabled');
    // A model with several initial states: at step 0, the others are a click away.
    const starts = path.length === 1 && s.initialStates > 1
      ? el('div', { class: 'group' }, el('h3', {}, `initial states (${s.initialStates})`),
          el('div', { class: 'steps' }, Array.from({ length: s.initialStates }, (_, k) =>
            el('button', { class: k === path[0] ? 'next' : '', disabled: k === path[0], onclick: () => go([k]) }, el('span', { class: 'label' }, `initial state ${k}`)))))
      : null;
    if (!s.enabled.length) {
      box.replaceChildren(...[starts, el('div', { class: 'muted' }, 'no step is possible from here')].filter(Boolean));
      return;
    }
    const ahead = isPrefix(path, trail) && trail.length > path.length ? trail[path.length] : null;
    const groups = [];
    for (const step of s.enabled) {
      let g = groups.find((x) => x.name === step.group);
      if (!g) groups.push((g = { name: step.group, steps: [] }));
      g.steps.push(step);
    }
    box.replaceChildren(...(starts ? [starts] : []), ...groups.map((g) =>
      el('div', { class: 'group' }, el('h3', {}, `${g.name} (${g.steps.length})`),
        el('div', { class: 'steps' }, g.steps.map((step) =>
          el('button', {
            class: [g.name === 'faults' ? 'fault' : '', step.breaks.length ? 'breaks' : '', step.index === ahead ? 'next' : ''].join(' ').trim(),
            'data-index': String(step.index),
            title: step.index === ahead ? 'the next step of the path (forward)' : step.action,
            onclick: () => go([...path, step.index]),
          },
          el('span', { class: 'label' }, step.label),
          step.breaks.length ? el('span', { class: 'tag breaks' }, `✗ breaks ${step.breaks.join(', ')}`) : step.unchanged ? el('span', { class: 'tag same' }, 'no change') : ''))))));
  }

  function drawPath(s) {
    const ol = $('path');
    const shown = isPrefix(path, trail) ? trail.length : path.length;
    s.steps.forEach((st, k) => (known[k] = st.label));
    const items = s.steps.map((st, k) => el('li', { class: k === s.steps.length - 1 ? 'here' : '', onclick: () => go(path.slice(0, k + 1)) }, st.label));
    for (let k = s.steps.length; k < shown; k++) items.push(el('li', { class: 'ahead', title: 'ahead on the path: forward, or click', onclick: () => go(trail.slice(0, k + 1)) }, known[k] ?? `step ${k} of the path ahead`));
    ol.replaceChildren(...items);
  }

  let targetsShown = '';
  function drawTargets(s) {
    const key = s.targets.map((t) => t.id).join('\n');
    if (key === targetsShown) return;
    targetsShown = key;
    $('target').replaceChildren(...s.targets.map((t) => el('option', { value: t.id }, t.text)));
    $('search').disabled = !s.targets.length;
  }

  function drawChart(c) {
    const box = $('chart');
    box.innerHTML = c.svg.replace(/^[\s\S]*?(?=<svg)/, '');
    $('legend').innerHTML = c.legend;
    // A row label (`step 3: …`) or a box (`server at step 3`) goes back to that step.
    for (const g of box.querySelectorAll('g.node')) {
      const title = g.querySelector(':scope > title')?.textContent ?? '';
      const m = /^step (\d+):/.exec(title) ?? /^\S+ at step (\d+)/.exec(title);
      if (!m) continue;
      const k = Number(m[1]);
      g.addEventListener('click', () => go(path.slice(0, k + 1)));
    }
  }

  $('back').addEventListener('click', () => path.length > 1 && go(path.slice(0, -1)));
  $('forward').addEventListener('click', () => trail.length > path.length && go(trail.slice(0, path.length + 1)));
  $('start').addEventListener('click', () => go(path.slice(0, 1)));
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLSelectElement || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft') $('back').click();
    if (e.key === 'ArrowRight') $('forward').click();
  });
  $('search').addEventListener('click', async () => {
    const target = $('target').value;
    const out = $('found');
    const button = $('search');
    button.disabled = true;
    out.textContent = 'searching…';
    try {
      const r = await api('find', { target });
      out.textContent = r.message;
      if (r.found && r.steps > 0) {
        setTrail(r.path);
        await go(r.path);
      }
    } catch (e) {
      out.textContent = String(e.message ?? e);
    } finally {
      button.disabled = false;
    }
  });
  window.addEventListener('popstate', (e) => {
    const p = e.state?.path ?? parse(new URLSearchParams(location.search).get('path'));
    if (e.state?.trail) setTrail(e.state.trail);
    go(p, false);
  });
  history.replaceState({ path, trail }, '', location.href);
  go(path, false);
})();
