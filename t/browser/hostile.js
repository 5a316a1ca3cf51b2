// A page of another origin on loopback (another port: same site, other
// origin) whose forms post to Quill while the user is logged in.  The
// SameSite=Lax cookie goes with them, as it does between the sites of one
// domain; the origin check refuses them with 403, and nothing changes.
'use strict';

const http = require('http');
const { ok, is, sql, shot, run, base } = require('./tap');

const email = `victim.${process.pid}@example.com`;
const password = 'the victim passphrase';

// The hostile page: forms that post to Quill.
function hostilePage(postId) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Win a prize</title></head><body>
<h1>Win a prize</h1>
<form id="create" method="post" action="${base}/api/v1/posts">
<input type="hidden" name="title" value="Pwned"><input type="hidden" name="body" value="by another site">
<input type="hidden" name="status" value="published"><button>Claim the prize</button></form>
<form id="delete" method="post" action="${base}/api/v1/posts/${postId}?_method=DELETE"><button>Claim another</button></form>
<form id="logout" method="post" action="${base}/api/v1/auth/logout"><button>Or this one</button></form>
</body></html>`;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

run(async (browser) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();

  // The victim registers, logs in and writes a post.
  await page.goto(`${base}/register`);
  await page.fill('#name', 'Victim');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // Its address confirmed as by the mailed link (flow.js walks that page).
  sql(`UPDATE users SET verified_at = created_at WHERE email = '${email}'`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.goto(`${base}/posts/new`);
  await page.fill('#title', 'Mine');
  await page.fill('#body', 'Keep it');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/api/v1/posts"] button[type=submit]')]);
  const postId = new URL(page.url()).pathname.split('/').pop();
  ok(/^\d+$/.test(postId), 'the victim is logged in and has a post');

  let postId2 = postId;
  const evil = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(hostilePage(postId2));
  });
  const port = await listen(evil);
  const evilBase = `http://127.0.0.1:${port}`;
  ok(evilBase !== base, `the hostile page is served from another origin (${evilBase})`);

  const snapshot = () => ['users', 'sessions', 'posts'].map((t) => sql(`SELECT * FROM ${t} ORDER BY 1`)).join('\n');
  try {
    for (const form of ['create', 'delete', 'logout']) {
      const before = snapshot();
      await page.goto(`${evilBase}/`);
      if (form === 'create') await shot(page, 'hostile-page');
      const [res] = await Promise.all([page.waitForNavigation(), page.click(`#${form} button`)]);
      is(res.status(), 403, `the hostile ${form} form is refused with 403`);
      ok((await page.textContent('.message')).includes('another site'), 'on a page saying it came from another site');
      is(snapshot(), before, 'and nothing changed');
      await shot(page, `hostile-${form}-refused`);
    }
    is(sql(`SELECT title FROM posts WHERE id = ${postId}`), 'Mine', "the victim's post is intact");
    ok((await ctx.cookies()).some((k) => k.name === '__Host-quill_session'), 'and the victim is still logged in');
    const res = await page.goto(`${base}/posts/${postId}`);
    is(res.status(), 200, 'and still sees their post');
  } finally {
    evil.close();
  }
  await ctx.close();
});
