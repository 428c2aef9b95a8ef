#!/usr/bin/env node
// check-report.js - opens a HeelDrop HTML report in Debian's headless Chromium (through
// playwright-core; no browser is downloaded) and checks that it renders:
//   node check-report.js REPORT.html --reps N [--sessions S] [--heel-plots P]
//                        [--screenshot OUT.png]
// Checks: every SVG plot has a nonzero rendered size; the heel plot(s) hold N rep marks
// in total (and P heel plots: one per set for long sessions); the descent chart holds N bars (session) or S bars (--sessions, week
// report); the heel line is drawn; no console errors, page errors or failed requests;
// no request leaves the file itself (self-contained); no <script> element exists (user
// text is escaped); the title is HeelDrop's. Prints what it found; exit 0 ok, 1 failed,
// 77 when Chromium or playwright-core is missing.
'use strict';
const fs = require('fs');
const path = require('path');

const CHROMIUM = process.env.HD_CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const a = { file: null, reps: null, sessions: null, heelPlots: null, screenshot: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--reps') a.reps = Number(argv[++i]);
    else if (k === '--sessions') a.sessions = Number(argv[++i]);
    else if (k === '--heel-plots') a.heelPlots = Number(argv[++i]);
    else if (k === '--screenshot') a.screenshot = argv[++i];
    else a.file = k;
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.file || args.reps === null) {
    console.error('usage: check-report.js REPORT.html --reps N [--sessions S] [--screenshot P]');
    return 2;
  }
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    console.error('skip: playwright-core is not installed (npm ci --prefix tests/browser)');
    return 77;
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`skip: no Chromium at ${CHROMIUM}`);
    return 77;
  }
  const url = 'file://' + path.resolve(args.file);
  const problems = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`the page fetched something else: ${r.url()}`);
    });
    const resp = await page.goto(url, { waitUntil: 'load' });
    if (!resp || !resp.ok()) problems.push(`could not load ${url}`);
    const found = await page.evaluate(() => {
      const plots = [...document.querySelectorAll('svg.plot')].map((s) => {
        const r = s.getBoundingClientRect();
        return { cls: s.getAttribute('class'), w: r.width, h: r.height };
      });
      const heelLines = [...document.querySelectorAll('svg.heel-plot path.heel')].map((p) => {
        const b = p.getBBox();
        return { w: b.width, h: b.height, len: p.getTotalLength() };
      });
      return {
        title: document.title,
        scripts: document.scripts.length,
        plots,
        heelPlots: document.querySelectorAll('svg.heel-plot').length,
        repMarks: document.querySelectorAll('svg.heel-plot .rep-mark').length,
        repSpans: [...document.querySelectorAll('svg.heel-plot .rep-mark rect.rep-span')]
          .filter((r) => r.getBoundingClientRect().width > 0 || r.closest('details:not([open])')).length,
        descentBars: document.querySelectorAll('svg.descent-plot .bar').length,
        holdBars: document.querySelectorAll('svg.hold-plot .bar').length,
        tableRows: document.querySelectorAll('table.reps tbody tr').length,
        heelLines,
        links: document.querySelectorAll('link, [src], a[href^="http"], iframe, object, embed').length,
      };
    });
    if (!found.title.startsWith('HeelDrop')) problems.push(`title is "${found.title}"`);
    if (found.scripts !== 0) problems.push(`${found.scripts} script element(s) in the page`);
    if (found.links !== 0) problems.push(`${found.links} external resource element(s)`);
    if (found.plots.length === 0) problems.push('no SVG plots');
    for (const p of found.plots) {
      // plots inside a closed <details> are not laid out; all others must have a size
      if (!(p.w > 50 && p.h > 50)) {
        const hidden = await page.evaluate((cls) => {
          const s = document.querySelector(`svg[class="${cls}"]`);
          return !!(s && s.closest('details:not([open])'));
        }, p.cls);
        if (!hidden) problems.push(`plot "${p.cls}" renders at ${p.w}x${p.h}`);
      }
    }
    if (found.repMarks !== args.reps) problems.push(`${found.repMarks} rep marks, expected ${args.reps}`);
    if (found.repSpans !== args.reps) problems.push(`${found.repSpans} visible rep spans, expected ${args.reps}`);
    const bars = args.sessions !== null ? args.sessions : args.reps;
    if (found.descentBars !== bars) problems.push(`${found.descentBars} descent bars, expected ${bars}`);
    if (args.sessions === null && found.holdBars !== args.reps) problems.push(`${found.holdBars} hold bars, expected ${args.reps}`);
    if (args.heelPlots !== null && found.heelPlots !== args.heelPlots) problems.push(`${found.heelPlots} heel plots, expected ${args.heelPlots}`);
    if (found.heelLines.length === 0) problems.push('no heel line');
    for (const l of found.heelLines) if (!(l.len > 100 && l.h > 10)) problems.push(`heel line too small: ${JSON.stringify(l)}`);
    if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });
    console.log(JSON.stringify({ file: args.file, ...found, heelLines: found.heelLines.length,
                                 plots: found.plots.length }));
  } finally {
    await browser.close();
  }
  for (const p of problems) console.error('FAIL: ' + p);
  return problems.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
