// Renders what the extension shows, without VS Code (which cannot run here): a fixture
// highlighted by this extension's TextMate grammar (vscode-textmate, the library VS Code
// uses), with the diagnostic, the hover and the completion list that `specie lsp` really
// returns at those places, laid out as the editor does. Writes an HTML page; Chromium
// turns it into the README's picture:
//
//   cargo build --release && node editors/vscode/scripts/screenshot.js target/editing.html
//   (then Chromium draws it:)
//   (editors/vscode/scripts/screenshot.sh does both)
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(root, 'fixtures/programs/crypto-native-crime-specie.specie');
// A misspelled attribute, so the server has something to say.
const text = fs.readFileSync(fixture, 'utf8').replace('colluding_staff >= 2', 'coluding_staff >= 2');
const FIRST = 14; // 0-based: from the attributes to the end of the tower
const LAST = 47;

const COLORS = [
  ['comment', '#6A9955'],
  ['string', '#CE9178'],
  ['constant.character.escape', '#D7BA7D'],
  ['storage.type', '#569CD6'],
  ['keyword.operator.logical', '#569CD6'],
  ['keyword.operator', '#D4D4D4'],
  ['keyword.other.unit', '#B5CEA8'],
  ['keyword', '#C586C0'],
  ['constant.numeric', '#B5CEA8'],
  ['constant.language', '#569CD6'],
  ['support.constant', '#4EC9B0'],
  ['variable', '#9CDCFE'],
];

function color(scopes) {
  for (let i = scopes.length - 1; i >= 0; i--) {
    for (const [prefix, c] of COLORS) {
      if (scopes[i].startsWith(prefix)) return c;
    }
  }
  return '#D4D4D4';
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function grammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, '../syntaxes/specie.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.specie');
}

// A minimal LSP client over the server's stdio.
function lsp() {
  const bin = path.join(root, 'target/release/specie');
  const child = spawn(bin, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/.exec(buf.slice(0, head).toString())[1]);
      if (buf.length < head + 4 + len) return;
      const msg = JSON.parse(buf.slice(head + 4, head + 4 + len).toString());
      buf = buf.slice(head + 4 + len);
      const i = waiting.findIndex((w) => w.test(msg));
      if (i >= 0) waiting.splice(i, 1)[0].resolve(msg);
    }
  });
  const send = (m) => {
    const body = Buffer.from(JSON.stringify(m));
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  const until = (test) => new Promise((resolve) => waiting.push({ test, resolve }));
  let id = 0;
  const call = async (method, params) => {
    const my = ++id;
    const reply = until((m) => m.id === my);
    send({ jsonrpc: '2.0', id: my, method, params });
    return (await reply).result;
  };
  return { child, send, until, call };
}

function position(needle, skip) {
  const at = text.indexOf(needle) + skip;
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function markdown(s) {
  return esc(s)
    .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
}

async function main() {
  const out = process.argv[2] || path.join(root, 'target/editing.html');
  const g = await grammar();
  const s = lsp();
  await s.call('initialize', { capabilities: {}, processId: null, rootUri: null });
  s.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const uri = 'file://' + fixture;
  const diagsP = s.until((m) => m.method === 'textDocument/publishDiagnostics');
  s.send({ jsonrpc: '2.0', method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'specie', version: 1, text } } });
  const diags = (await diagsP).params.diagnostics;
  const hoverAt = position('layer "First excess"', 8);
  const hover = await s.call('textDocument/hover', { textDocument: { uri }, position: hoverAt });
  await s.call('shutdown', null);
  s.send({ jsonrpc: '2.0', method: 'exit' });

  const lines = text.split('\n');
  let rule = vsctm.INITIAL;
  const rows = [];
  lines.forEach((line, n) => {
    const r = g.tokenizeLine(line, rule);
    rule = r.ruleStack;
    if (n < FIRST || n > LAST) return;
    let html = '';
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      let cls = '';
      for (const d of diags) {
        if (d.range.start.line === n && t.startIndex >= d.range.start.character && t.endIndex <= d.range.end.character) {
          cls = ' class="squiggle"';
        }
      }
      html += `<span style="color:${color(t.scopes)}"${cls}>${esc(piece)}</span>`;
    }
    rows.push(`<div class="row"><span class="ln">${n + 1}</span>${html || ' '}</div>`);
  });
  const rowH = 19;
  const hoverTop = 8 + (hoverAt.line - FIRST) * rowH - 2; // above the hovered line, as VS Code puts it
  const problems = diags.map((d) => `<div><span class="err">⊗</span> ${esc(d.message.split('\n')[0])} <span class="dim">${esc(d.code)} [Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]</span><div class="help">${esc((d.message.split('\nhelp: ')[1] || ''))}</div></div>`).join('');
  const page = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e;font:13px/19px "DejaVu Sans Mono",monospace;color:#d4d4d4;width:1100px}
.tab{background:#252526;color:#fff;padding:6px 14px;font-family:"DejaVu Sans",sans-serif;font-size:12px;border-bottom:1px solid #333}
.code{padding:8px 0;position:relative}
.row{white-space:pre;height:${rowH}px}.ln{display:inline-block;width:44px;color:#858585;text-align:right;margin-right:18px}
.squiggle{text-decoration:underline wavy #f14c4c;text-underline-offset:3px}
.hover{position:absolute;left:150px;top:${hoverTop}px;transform:translateY(-100%);max-width:760px;background:#252526;border:1px solid #454545;padding:8px 10px;font:12.5px/18px "DejaVu Sans",sans-serif;box-shadow:0 2px 8px #000}
.hover code{font-family:"DejaVu Sans Mono",monospace;color:#ce9178}
.panel{border-top:1px solid #444;background:#1e1e1e;padding:6px 14px;font:12.5px/19px "DejaVu Sans",sans-serif}
.panel .title{color:#e7e7e7;font-size:11px;letter-spacing:.05em;margin-bottom:4px}
.err{color:#f14c4c}.dim{color:#8b8b8b}.help{color:#9cdcfe;margin-left:18px}
</style>
<div class="tab">crypto-native-crime-specie.specie — Specie</div>
<div class="code">${rows.join('')}<div class="hover">${markdown(hover.contents.value)}</div></div>
<div class="panel"><div class="title">PROBLEMS (from specie lsp)</div>${problems}</div>`;
  fs.writeFileSync(out, page);
  console.log(`${out}: ${diags.length} diagnostic(s), hover of ${hover.contents.value.length} characters`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
