// The Specie workbench: a plain script over the JSON API of `specie serve` (same origin).
'use strict';

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const state = { files: [], scenario: null, checked: '', timer: null, abort: null, name: undefined };

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return r;
}

// Byte offset (UTF-8, as the API counts) → index in the JS string.
function charIndex(text, byte) {
  const bytes = new TextEncoder().encode(text);
  return new TextDecoder().decode(bytes.slice(0, byte)).length;
}

function renderHighlight(text, diags) {
  const marks = diags
    .map((d) => ({ s: charIndex(text, d.span.start), e: charIndex(text, Math.max(d.span.end, d.span.start + 1)), sev: d.severity }))
    .sort((a, b) => a.s - b.s);
  let html = '';
  let at = 0;
  for (const m of marks) {
    if (m.s < at) continue;
    html += esc(text.slice(at, m.s)) + `<mark class="${m.sev}">${esc(text.slice(m.s, m.e) || ' ')}</mark>`;
    at = m.e;
  }
  $('highlight').innerHTML = html + esc(text.slice(at)) + '\n';
}

function renderDiagnostics(text, diags) {
  const list = $('diagnostics');
  list.innerHTML = '';
  for (const d of diags) {
    const li = document.createElement('li');
    li.tabIndex = 0;
    li.className = 'diagnostic';
    li.innerHTML = `<span class="${d.severity}">${esc(d.severity)}</span> ${esc(d.message)} ` +
      `<span class="code">${esc(d.code)} ${d.line}:${d.column}</span>` +
      (d.help ? `<div class="help">help: ${esc(d.help)}</div>` : '');
    const go = () => {
      const src = $('source');
      src.focus();
      src.setSelectionRange(charIndex(text, d.span.start), charIndex(text, d.span.end));
    };
    li.addEventListener('click', go);
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
    list.appendChild(li);
  }
  $('check-status').textContent = diags.length ? `${diags.length} diagnostic(s)` : 'no diagnostics';
}

async function check() {
  const text = $('source').value;
  if (text === state.checked) return;
  state.checked = text;
  const r = await post('/api/check', { text, name: state.name });
  const diags = r.ok ? await r.json() : [];
  if ($('source').value !== text) return; // typed on meanwhile
  renderHighlight(text, diags);
  renderDiagnostics(text, diags);
  if (!diags.some((d) => d.severity === 'error')) tower(text);
}

async function tower(text) {
  const name = state.name;
  const [j, s] = await Promise.all([post('/api/tower', { text, name }), post('/api/tower/svg', { text, name })]);
  if (!j.ok || !s.ok) return;
  const doc = await j.json();
  $('tower-chart').innerHTML = await s.text();
  const findings = $('findings');
  findings.innerHTML = '';
  for (const f of doc.findings || []) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="${esc(f.severity)}">${esc(f.severity)}</span> ${esc(f.message)} <span class="code">${esc(f.code)}</span>`;
    findings.appendChild(li);
  }
  if (!(doc.findings || []).length) findings.innerHTML = '<li>none</li>';
}

function scheduleCheck() {
  clearTimeout(state.timer);
  state.timer = setTimeout(check, 200);
}

async function loadFiles() {
  const r = await fetch('/api/files');
  state.files = await r.json();
  for (const f of state.files) {
    const target = { program: 'open-program', portfolio: 'open-program', scenario: 'open-scenario', model: 'open-model' }[f.kind];
    if (!target) continue;
    const o = document.createElement('option');
    o.value = f.id;
    o.textContent = f.name;
    $(target).appendChild(o);
  }
}

async function fileText(id) {
  const r = await fetch(`/api/files/${id}`);
  return r.text();
}

function money(s) {
  const [i, f] = String(s).split('.');
  return i.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (f ? '.' + f : '');
}

async function replay() {
  const out = $('replay-result');
  let scenario = state.scenario;
  const pick = $('open-scenario').value;
  if (pick !== '') scenario = await fileText(pick);
  if (!scenario) { out.textContent = 'Pick or load a scenario first.'; return; }
  const program = $('source').value;
  const r = await post('/api/replay', { program, scenario, name: state.name });
  const doc = await r.json();
  if (!r.ok) { out.innerHTML = `<p class="error">${esc(doc.error.message)}</p>`; return; }
  if (doc.portfolio) { showBook(doc); return; }
  let html = '<table class="events"><thead><tr><th>Event</th><th>Ground-up</th><th>Paid</th><th>Uncovered</th></tr></thead><tbody>';
  for (const e of doc.events) {
    const unc = (e.uncovered || []).map((u) => `${u.reason}${u.clause ? ' (' + u.clause + ')' : ''}: ${money(u.amount)}`).join('; ');
    html += `<tr><td><button type="button" class="event" aria-expanded="false" data-event="${esc(e.id)}">${esc(e.id)}</button></td>` +
      `<td>${money(e.ground_up)}</td><td class="paid">${money(e.paid)}</td><td>${esc(unc)}</td></tr>` +
      `<tr class="trace" hidden><td colspan="4"><pre></pre></td></tr>`;
  }
  const t = doc.totals;
  html += `</tbody><tfoot><tr><th>Total</th><th>${money(t.ground_up)}</th><th id="total-paid">${money(t.paid)}</th><th></th></tr></tfoot></table>`;
  out.innerHTML = html;
  for (const b of out.querySelectorAll('button.event')) {
    b.addEventListener('click', async () => {
      const row = b.closest('tr').nextElementSibling;
      const open = b.getAttribute('aria-expanded') !== 'true';
      b.setAttribute('aria-expanded', String(open));
      row.hidden = !open;
      if (!open || row.dataset.loaded) return;
      const x = await post('/api/explain', { program, scenario, event: b.dataset.event });
      row.querySelector('pre').textContent = await x.text();
      row.dataset.loaded = '1';
    });
  }
}

// A book's replay: each program's figures, then the book's.
function showBook(doc) {
  let html = '<table><thead><tr><th>Program</th><th>Ground-up</th><th>Paid</th></tr></thead><tbody>';
  for (const p of doc.programs) {
    html += `<tr><td>${esc(p.program)}</td><td>${money(p.result.totals.ground_up)}</td><td>${money(p.result.totals.paid)}</td></tr>`;
  }
  const t = doc.totals;
  html += `</tbody><tfoot><tr><th>Book</th><th>${money(t.ground_up)}</th><th id="total-paid">${money(t.paid)}</th></tr></tfoot></table>`;
  $('replay-result').innerHTML = html;
}

async function simulate() {
  const out = $('simulate-result');
  const pick = $('open-model').value;
  if (pick !== '' && !$('model-source').value) $('model-source').value = await fileText(pick);
  const model = $('model-source').value;
  if (!model) { out.textContent = 'Pick or paste a model first.'; return; }
  const years = Number($('years').value);
  state.abort = new AbortController();
  $('simulate-button').disabled = true;
  $('cancel-button').disabled = false;
  $('simulate-progress').value = 0;
  out.textContent = 'Running…';
  try {
    const r = await fetch('/api/simulate', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ program: $('source').value, model, years }), signal: state.abort.signal,
    });
    if (!r.ok) { out.innerHTML = `<p class="error">${esc((await r.json()).error.message)}</p>`; return; }
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.done !== undefined) $('simulate-progress').value = line.done / line.years;
        if (line.result) showSimulation(line.result, line.svg);
        if (line.error) out.innerHTML = `<p class="error">${esc(line.error.message)}</p>`;
      }
    }
  } catch (e) {
    out.textContent = e.name === 'AbortError' ? 'Cancelled.' : String(e);
  } finally {
    $('simulate-button').disabled = false;
    $('cancel-button').disabled = true;
  }
}

function showSimulation(doc, svg) {
  $('simulate-chart').innerHTML = svg;
  let html = `<p>${doc.years} years, seed ${doc.seed}.</p><table><thead><tr><th>Summary</th><th>AAL</th><th>1 in 100 (AEP)</th><th>1 in 250 (AEP)</th></tr></thead><tbody>`;
  for (const s of doc.summaries) {
    const at = (t) => (s.aep.find((p) => p.return_period === t) || {}).loss || '';
    html += `<tr><td>${esc(s.summary)}</td><td>${money(s.aal)}</td><td>${money(at(100))}</td><td>${money(at(250))}</td></tr>`;
  }
  $('simulate-result').innerHTML = html + '</tbody></table>';
}

$('source').addEventListener('input', scheduleCheck);
$('source').addEventListener('scroll', () => {
  $('highlight').scrollTop = $('source').scrollTop;
  $('highlight').scrollLeft = $('source').scrollLeft;
});
$('open-program').addEventListener('change', async (e) => {
  if (e.target.value === '') return;
  state.name = state.files[Number(e.target.value)].name;
  $('source').value = await fileText(e.target.value);
  check();
});
$('scenario-file').addEventListener('change', async (e) => {
  const f = e.target.files[0];
  if (f) { state.scenario = await f.text(); $('open-scenario').value = ''; }
});
$('open-model').addEventListener('change', async (e) => {
  $('model-source').value = e.target.value === '' ? '' : await fileText(e.target.value);
});
$('replay-button').addEventListener('click', replay);
$('simulate-button').addEventListener('click', simulate);
$('cancel-button').addEventListener('click', () => state.abort && state.abort.abort());
loadFiles();
