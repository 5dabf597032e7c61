#!/usr/bin/env python3
"""Checks SVG charts the way a browser draws them, in headless Chromium (Debian's
`chromium`): each file must parse as XML, every text must lie inside the picture, the
texts of a heat-map cell (`<g class="cell">`) inside its rectangle, and no two texts may
overlap. Usage: scripts/check-svg.py FILE.svg... (exit 1 on any problem)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CHECK = r"""
const out = [];
const doc = new DOMParser().parseFromString(SVG_TEXT, "image/svg+xml");
if (doc.getElementsByTagName("parsererror").length) {
  out.push("not well-formed XML: " + doc.getElementsByTagName("parsererror")[0].textContent);
} else {
  const svg = document.importNode(doc.documentElement, true);
  document.body.appendChild(svg);
  const frame = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll("text")).filter(t => t.textContent.trim());
  const boxes = texts.map(t => [t, t.getBoundingClientRect()]);
  const inside = (a, b, slack) => a.left >= b.left - slack && a.right <= b.right + slack &&
      a.top >= b.top - slack && a.bottom <= b.bottom + slack;
  for (const [t, b] of boxes) {
    if (!inside(b, frame, 0.5)) out.push("outside the picture: " + t.textContent);
  }
  for (const g of svg.querySelectorAll("g.cell")) {
    const r = g.querySelector("rect").getBoundingClientRect();
    for (const t of g.querySelectorAll("text")) {
      if (!inside(t.getBoundingClientRect(), r, 0.5)) out.push("outside its cell: " + t.textContent);
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i][1], b = boxes[j][1];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push("overlap: " + boxes[i][0].textContent + " / " + boxes[j][0].textContent);
    }
  }
  out.push("texts checked: " + boxes.length);
}
document.getElementById("result").textContent = JSON.stringify(out);
"""


def check(chrome, path):
    text = open(path, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "check.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write("<!doctype html><html><body style='margin:0'><pre id='result'></pre><script>")
            f.write("const SVG_TEXT = " + json.dumps(text).replace("</", "<\\/") + ";")
            f.write(CHECK)
            f.write("</script></body></html>")
        run = subprocess.run(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + os.path.join(tmp, "profile"), "--window-size=1600,1200",
             "--dump-dom", "file://" + page],
            capture_output=True, text=True, timeout=120)
    dom = run.stdout
    start = dom.find("<pre id=\"result\">")
    end = dom.find("</pre>", start)
    if start < 0 or end < 0:
        return ["chromium printed no result (status %d): %s" % (run.returncode, run.stderr[-400:])]
    raw = dom[start + len("<pre id=\"result\">"):end]
    raw = raw.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(raw)


def main():
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chrome:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    failed = False
    for path in sys.argv[1:]:
        found = check(chrome, path)
        problems = [p for p in found if not p.startswith("texts checked")]
        summary = next((p for p in found if p.startswith("texts checked")), "")
        if problems or not summary:
            failed = True
            for p in problems:
                print("%s: %s" % (path, p), file=sys.stderr)
        else:
            print("%s: ok (%s)" % (path, summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
