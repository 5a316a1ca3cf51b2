// The pages the programs render, walked with JavaScript off at 1280 px and
// at 390 px wide: the post page, the lists (with "More posts" and a
// search), and the forms that come back refused (write a post, log in,
// register) as well as their success.  Each rendered page is kept as a
// screenshot, must have no axe-core violation, and must pass the Nu HTML
// Checker (vnu.jar, run by Debian's Java) with no error.
'use strict';

const crypto = require('crypto');
const { ok, is, sql, run, pageChecker, base } = require('./tap');

const password = 'a browser typed passphrase';
// The TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30 s) of a base32 key at
// step, as an authenticator app computes it.
function totp(secret, step) {
  let bits = '';
  for (const c of secret) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}
const widths = [{ name: 'wide', width: 1280, height: 900 }, { name: 'phone', width: 390, height: 844 }];

run(async (browser) => {
  // Each page: a screenshot, axe-core, and its HTML kept in
  // build/pages-html/ for the Nu HTML Checker (tap.js).
  const { check, validate, close } = await pageChecker(browser, 'pages-html');

  for (const w of widths) {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: w.width, height: w.height } });
    const page = await ctx.newPage();
    const submit = async (form) => {
      const [res] = await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
      return res;
    };
    const email = `pages.${w.name}.${process.pid}@example.com`;

    // Register; the same email again comes back as the form, name kept.
    await page.goto(`${base}/register`);
    await page.fill('#name', `Pat ${w.name}`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    let res = await submit('form');
    is(new URL(page.url()).pathname, '/login', `${w.name}: registering leads to the login page`);
    // Its address confirmed as by the mailed link (flow.js walks that page).
    sql(`UPDATE users SET verified_at = created_at WHERE email = '${email}'`);
    await page.goto(`${base}/register`);
    await page.fill('#name', `Pat <again>`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    res = await submit('form');
    is(res.status(), 409, `${w.name}: an email already taken is refused`);
    is(await page.inputValue('#name'), 'Pat <again>', `${w.name}: the name kept`);
    is(await page.inputValue('#password'), '', `${w.name}: the password not`);
    await check(page, res, `${w.name}-register-refused`);

    // Log in: a wrong password first.
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', 'not the passphrase at all');
    res = await submit('form');
    is(res.status(), 401, `${w.name}: a wrong password is refused`);
    is(await page.inputValue('#email'), email, `${w.name}: the email kept`);
    await check(page, res, `${w.name}-login-refused`);
    await page.fill('#password', password);
    res = await submit('form[action="/api/v1/auth/login"]');
    is(new URL(page.url()).pathname, '/', `${w.name}: then logging in leads home`);

    // Change the password: a wrong current one comes back as the form,
    // neither password kept.
    await page.goto(`${base}/password/change`);
    await page.fill('#currentPassword', 'not the passphrase at all');
    await page.fill('#newPassword', 'another browser passphrase');
    res = await submit('form[action="/api/v1/auth/password/change"]');
    is(res.status(), 422, `${w.name}: a wrong current password is refused`);
    is(await page.getAttribute('#currentPassword', 'aria-describedby'), 'currentPassword-error',
      `${w.name}: the current password names its message`);
    is(await page.inputValue('#newPassword'), '', `${w.name}: no password is sent back`);
    await check(page, res, `${w.name}-password-change-refused`);

    // Write a post: refused, then saved.
    res = await page.goto(`${base}/posts/new`);
    is(res.status(), 200, `${w.name}: the write form opens`);
    await check(page, res, `${w.name}-post-new`);
    await page.fill('#title', ' ');
    await page.fill('#body', 'The text of a post\n\nin two paragraphs.');
    res = await submit('form[action="/api/v1/posts"]');
    is(res.status(), 422, `${w.name}: a blank title is refused`);
    is(await page.getAttribute('#title', 'aria-describedby'), 'title-error', `${w.name}: the title names its message`);
    await check(page, res, `${w.name}-post-new-refused`);
    await page.fill('#title', `A post read at ${w.width} px`);
    await page.selectOption('#status', 'published');
    res = await submit('form[action="/api/v1/posts"]');
    ok(/^\/posts\/\d+$/.test(new URL(page.url()).pathname), `${w.name}: saving leads to the post`);
    is(await page.locator('.post-body p').count(), 2, `${w.name}: its text in paragraphs`);
    ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(await page.getAttribute('.meta time', 'datetime')),
      `${w.name}: its date in <time datetime>`);
    is(await page.textContent('p.notice'), 'Post published.', `${w.name}: with a notice that it is published`);
    await check(page, res, `${w.name}-post-author`);
    await page.reload();
    is(await page.locator('p.notice').count(), 0, `${w.name}: shown once`);
    await page.fill('#title', ' ');
    res = await submit('form[action$="_method=PATCH"]');
    is(res.status(), 422, `${w.name}: an edit with a blank title is refused`);
    is(await page.textContent('h1'), 'Edit a post', `${w.name}: on the edit form`);
    is(await page.getAttribute('#title', 'aria-describedby'), 'title-error', `${w.name}: the title names its message`);
    await check(page, res, `${w.name}-post-edit-refused`);
    res = await page.goto(`${base}/posts/999999`);
    is(res.status(), 404, `${w.name}: a post that is not there`);
    await check(page, res, `${w.name}-not-found`);

    // More posts, to page through two at a time; a search; the drafts.
    for (let i = 1; i <= 3; i++) {
      sql(`INSERT INTO posts (author_id, title, body, status, created_at, updated_at) SELECT id, 'Filler ${w.name} ${i}', 'findme${w.name} text', 'published', strftime('%s','now') - ${i}, strftime('%s','now') - ${i} FROM users WHERE email = '${email}'`);
    }
    res = await page.goto(`${base}/posts?limit=2`);
    is(await page.locator('ul.post-list > li').count(), 2, `${w.name}: a list shows its page`);
    await check(page, res, `${w.name}-posts`);
    res = await Promise.all([page.waitForNavigation(), page.click('a:text("More posts")')]).then((r) => r[0]);
    is(await page.locator('ul.post-list > li').count(), 2, `${w.name}: "More posts" shows the next`);
    await check(page, res, `${w.name}-posts-more`);
    await page.fill('#q', `findme${w.name}`);
    res = await submit('form.search');
    is(await page.inputValue('#q'), `findme${w.name}`, `${w.name}: the search is kept in its field`);
    is(await page.locator('ul.post-list > li').count(), 3, `${w.name}: and finds what it should`);
    await check(page, res, `${w.name}-search`);
    await page.fill('#q', '"<>"');
    res = await submit('form.search');
    is(res.status(), 400, `${w.name}: a search with no word is refused`);
    is(await page.getAttribute('#q', 'aria-describedby'), 'q-error', `${w.name}: the search names its message`);
    is(await page.inputValue('#q'), '"<>"', `${w.name}: and is kept`);
    await check(page, res, `${w.name}-search-refused`);
    res = await page.goto(`${base}/posts?status=draft`);
    is(await page.textContent('h1'), 'My drafts', `${w.name}: the drafts`);
    await check(page, res, `${w.name}-drafts`);
    const uid = sql(`SELECT id FROM users WHERE email = '${email}'`);
    res = await page.goto(`${base}/users/${uid}/posts`);
    ok((await page.textContent('h1')).startsWith('Posts by '), `${w.name}: an author's posts`);
    is(await page.locator('ul.post-list > li').count(), 4, `${w.name}: all their published posts`);
    await check(page, res, `${w.name}-author-posts`);

    // The post as an anonymous reader sees it.
    const id = sql(`SELECT max(id) FROM posts WHERE title LIKE 'A post read at %'`);
    const anon = await browser.newContext({ javaScriptEnabled: false, viewport: { width: w.width, height: w.height } });
    const ap = await anon.newPage();
    res = await ap.goto(`${base}/posts/${id}`);
    is(await ap.locator('form').count(), 0, `${w.name}: an anonymous reader gets no form`);
    ok(await ap.locator('a[href="/login"]').count() === 1, `${w.name}: but the way to log in`);
    await check(ap, res, `${w.name}-post-anonymous`);
    // A reset with a code that is no code comes back with the code kept.
    await ap.goto(`${base}/password/reset`);
    await ap.fill('#token', 'not-a-code');
    await ap.fill('#password', 'a new browser passphrase');
    res = await Promise.all([ap.waitForNavigation(), ap.click('form button[type=submit]')]).then((r) => r[0]);
    is(res.status(), 422, `${w.name}: a reset code that is no code is refused`);
    is(await ap.inputValue('#token'), 'not-a-code', `${w.name}: the code kept`);
    is(await ap.inputValue('#password'), '', `${w.name}: the password not`);
    await check(ap, res, `${w.name}-reset-refused`);
    await anon.close();

    // Two-factor sign-in: set up from the key the page shows, a first
    // code refused and one right, the recovery codes; then a login that
    // asks for the code, a recovery code, and the recent sign-in a
    // dangerous change asks for.
    const mfa = '/api/v1/auth/mfa';
    const mfaPage = '/account/two-factor';
    const click = async (sel) => (await Promise.all([page.waitForNavigation(), page.click(sel)]))[0];
    res = await page.goto(`${base}${mfaPage}`);
    await check(page, res, `${w.name}-mfa-off`);
    res = await submit(`form[action="${mfa}/totp"]`);
    const secret = (await page.textContent('#secret')).trim();
    ok(/^[A-Z2-7]{32}$/.test(secret), `${w.name}: the page shows the key as text`);
    is(await page.locator('svg.qr path').count(), 1, `${w.name}: and as a QR code`);
    await check(page, res, `${w.name}-mfa-pending`);
    const step = Math.floor(Date.now() / 30000);
    await page.fill('#code', totp(secret, step - 10));
    res = await submit(`form[action="${mfa}/totp/confirm"]`);
    is(res.status(), 422, `${w.name}: an old code does not turn it on`);
    is(await page.getAttribute('#code', 'aria-describedby'), 'code-error', `${w.name}: the code names its message`);
    await check(page, res, `${w.name}-mfa-confirm-refused`);
    await page.fill('#code', totp(secret, step));
    res = await submit(`form[action="${mfa}/totp/confirm"]`);
    is(res.status(), 200, `${w.name}: the code of the key turns it on`);
    const codes = await page.locator('.recovery-codes code').allTextContents();
    is(codes.length, 10, `${w.name}: ten recovery codes shown`);
    await check(page, res, `${w.name}-mfa-codes`);

    await click('form[action="/api/v1/auth/logout"] button');
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    res = await submit('form[action="/api/v1/auth/login"]');
    is(new URL(page.url()).pathname, '/api/v1/auth/login', `${w.name}: the password alone does not sign in`);
    await check(page, res, `${w.name}-mfa-signin`);
    await page.fill('#code', '000000');
    res = await submit(`form[action="${mfa}"]`);
    is(res.status(), 401, `${w.name}: a wrong code is refused`);
    await check(page, res, `${w.name}-mfa-signin-refused`);
    await page.fill('#code', codes[0]);
    res = await submit(`form[action="${mfa}"]`);
    is(new URL(page.url()).pathname, '/', `${w.name}: a recovery code signs in`);

    sql(`UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = (SELECT id FROM users WHERE email = '${email}')`);
    sql('UPDATE session_signins SET signed_in_at = signed_in_at - 3600');
    await page.goto(`${base}${mfaPage}`);
    await page.fill('#currentPassword', password);
    await page.fill('#code', codes[1]);
    res = await click('#turn-off');
    is(res.status(), 403, `${w.name}: turning it off an hour later asks who it is`);
    await check(page, res, `${w.name}-reauth`);
    await page.fill('#currentPassword', password);
    await page.fill('#code', codes[1]);
    res = await submit('form[action="/api/v1/auth/reauth"]');
    is(new URL(page.url()).pathname, mfaPage, `${w.name}: confirmed, back to the two-factor page`);
    await check(page, res, `${w.name}-mfa-on`);
    await page.fill('#currentPassword', password);
    await page.fill('#code', codes[2]);
    res = await click('#turn-off');
    ok(/is off/.test(await page.textContent('main')), `${w.name}: then it turns off`);

    // A role that must set it up is led to it.
    sql(`UPDATE users SET role = 'admin' WHERE email = '${email}'`);
    res = await page.goto(`${base}/posts/new`);
    is(res.status(), 403, `${w.name}: an admin without a second factor is stopped`);
    is(await page.locator(`main a[href="${mfaPage}"]`).count(), 1, `${w.name}: and shown the way to set it up`);
    await check(page, res, `${w.name}-mfa-required`);
    sql(`UPDATE users SET role = 'user' WHERE email = '${email}'`);
    await ctx.close();
  }
  await close();
  const pages = validate();
  ok(pages >= 16, `the checker read every page (${pages})`);
});
