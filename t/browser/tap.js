// What the browser tests share: TAP output, the browser, screenshots and
// the database.  Each test is started by t/93-browser.t, which runs a
// Quill server for it and passes QUILL_BASE (its origin), QUILL_CONFIG
// (its settings file, which names its database: SQLite or PostgreSQL),
// QUILL_MAIL_SPOOL (where quillctl spools its mail), QUILL_BUILD (the
// programs) and QUILL_SHOTS (where screenshots go).
'use strict';

const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

let n = 0;
let failed = 0;

// One TAP check.
function ok(cond, what) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? '' : 'not '}ok ${n} - ${what}`);
  return cond;
}

function is(got, want, what) {
  if (!ok(got === want, what)) console.log(`#   got: ${JSON.stringify(got)}\n#   expected: ${JSON.stringify(want)}`);
}

// Ends the test: the plan, and the exit status.
function done() {
  console.log(`1..${n}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

// Runs one SQL statement on the server's database, whichever its engine,
// with the Perl tests' own client (t/lib/db-sql.pl: SQLite's SQL, which
// t/lib/sqlite-compat.sql makes PostgreSQL understand); returns its
// output, rows as lines, columns joined by |, booleans as 1 and 0.
function sql(q) {
  return execFileSync('perl', [path.join(__dirname, '..', 'lib', 'db-sql.pl'), process.env.QUILL_CONFIG, q],
    { encoding: 'utf8' }).trim();
}

// Delivers the outbox with quillctl; returns the newest mail's text.
function newestMail() {
  execFileSync(path.join(process.env.QUILL_BUILD, 'quillctl'), ['mail']);
  const dir = process.env.QUILL_MAIL_SPOOL;
  const files = fs.readdirSync(dir).filter((f) => /^\d+\.eml$/.test(f))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return fs.readFileSync(path.join(dir, files[files.length - 1]), 'utf8');
}

// Debian's chromium, headless, with nothing that reaches the network.
function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Saves a screenshot of the whole page as QUILL_SHOTS/<test>-<NN>-<name>.png.
let shots = 0;
async function shot(page, name) {
  const dir = process.env.QUILL_SHOTS;
  fs.mkdirSync(dir, { recursive: true });
  const test = path.basename(process.argv[1], '.js');
  const file = path.join(dir, `${test}-${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

// Runs body(browser), closing the browser and reporting a crash as a failure.
async function run(body) {
  let browser;
  try {
    browser = await launch();
    await body(browser);
  } catch (e) {
    ok(false, `the test ran to its end: ${e.message.split('\n')[0]}`);
    console.log(`# ${String(e.stack).replace(/\n/g, '\n# ')}`);
  } finally {
    if (browser) await browser.close();
    done();
  }
}

// The checks of a rendered page, for browser: check(page, res, name) keeps
// a screenshot, runs axe-core on the page as the server sent it (served
// again to a context of its own, as axe needs JavaScript) and keeps its
// HTML in build/<dir>/; validate() then runs the Nu HTML Checker over
// every page kept, and says how many there were.
async function pageChecker(browser, dir) {
  const root = path.resolve(__dirname, '..', '..');
  const axeSource = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const htmlDir = path.join(process.env.QUILL_SHOTS, '..', dir);
  fs.rmSync(htmlDir, { recursive: true, force: true });
  fs.mkdirSync(htmlDir, { recursive: true });
  const axeCtx = await browser.newContext({ bypassCSP: true });
  const axePage = await axeCtx.newPage();
  async function check(page, res, name) {
    const html = await res.text();
    await shot(page, name);
    fs.writeFileSync(path.join(htmlDir, `${name}.html`), html);
    const at = new URL(page.url());
    await axePage.route(`${at.origin}/axe-snapshot`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await axePage.goto(`${at.origin}/axe-snapshot`);
    await axePage.evaluate(axeSource);
    const r = await axePage.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const v = r.violations.map((x) => `${x.id} (${x.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    if (!ok(v.length === 0, `${name}: no axe-core violation`)) console.log(`#   ${v.join('\n#   ')}`);
    await axePage.unroute(`${at.origin}/axe-snapshot`);
  }
  function validate() {
    const files = fs.readdirSync(htmlDir).filter((f) => f.endsWith('.html')).sort();
    const v = spawnSync('java', ['-jar', path.join(root, 'node_modules/vnu-jar/build/dist/vnu.jar'),
      '--errors-only', '--format', 'json', ...files.map((f) => path.join(htmlDir, f))], { encoding: 'utf8' });
    let messages = null;
    try {
      messages = JSON.parse(v.stderr).messages;
    } catch (e) {
      ok(false, `the Nu HTML Checker ran: ${String(v.stderr || v.error).slice(0, 300)}`);
    }
    ok(messages !== null && (v.status === 0) === (messages.length === 0),
      'the checker ran and its exit status agrees with its report');
    for (const f of files) {
      const mine = (messages || []).filter((m) => (m.url || '').endsWith(`/${f}`));
      if (!ok(mine.length === 0, `${f}: the Nu HTML Checker finds no error`)) {
        for (const m of mine) console.log(`#   line ${m.lastLine}: ${m.message}`);
      }
    }
    return files.length;
  }
  return { check, validate, close: () => axeCtx.close() };
}

module.exports = { ok, is, done, sql, newestMail, launch, shot, run, pageChecker, base: process.env.QUILL_BASE };
