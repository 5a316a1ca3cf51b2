// The whole life of an account through the site's pages, JavaScript
// off, on a phone-sized screen: register, confirm the address with the
// mailed code, log in, write a post, see it,
// edit it, delete it, log out; a refused post and a failed login come
// back as their forms, filled as they were sent.
'use strict';

const { ok, is, sql, newestMail, shot, run, base } = require('./tap');

const email = `browser.${process.pid}@example.com`;
const password = 'a browser typed passphrase';

run(async (browser) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const submit = async (form) => Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);

  // Register.
  await page.goto(`${base}/register`);
  await shot(page, 'register');
  await page.fill('#name', 'Browser Person');
  await page.fill('#email', email);
  await page.fill('#password', password);
  let [res] = await submit('form');
  is(new URL(page.url()).pathname, '/login', 'registering leads to the login page');
  is(sql(`SELECT name FROM users WHERE email = '${email}'`), 'Browser Person', 'the account exists');

  // Confirm the address: without a script the link's page cannot read its
  // fragment, so the code the mail prints is typed instead.
  const mail = newestMail();
  const link = (mail.match(/^(http\S+\/verify)#token=\S+$/m) || [])[1];
  const code = (mail.match(/^([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})$/m) || [])[1];
  ok(link && code, 'a confirmation mail with a link and a code arrives');
  await page.goto(`${link}#token=not-read-without-a-script`);
  await page.goto(link);
  is(sql(`SELECT verified_at IS NULL FROM users WHERE email = '${email}'`), '1', 'opening the link twice confirms nothing');
  await shot(page, 'verify');
  await page.fill('#email', email);
  await page.fill('#code', code);
  await Promise.all([page.waitForNavigation(), page.click('form:nth-of-type(2) button[type=submit]')]);
  is(new URL(page.url()).pathname, '/', 'typing the code leads home');
  is(await page.textContent('p.notice'), 'Your email address is confirmed.', 'saying the address is confirmed');
  is(sql(`SELECT verified_at IS NOT NULL FROM users WHERE email = '${email}'`), '1', 'and confirms the address');
  await page.goto(`${base}/login`);

  // Log in.
  await shot(page, 'login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  [res] = await submit('form');
  is(new URL(page.url()).pathname, '/', 'logging in leads home');
  const cookies = await ctx.cookies();
  const c = cookies.find((k) => k.name === '__Host-quill_session');
  ok(c && c.httpOnly && c.secure && c.sameSite === 'Lax' && c.path === '/',
    'the browser keeps the __Host- session cookie (HttpOnly, Secure, SameSite=Lax, Path=/) over loopback http');
  is(sql("SELECT kind FROM sessions ORDER BY id DESC LIMIT 1"), 'cookie', 'a cookie session was made');
  await shot(page, 'home-logged-in');

  // Write a post: a title of blanks comes back as the form, the text kept.
  await page.click('a[href="/posts/new"]');
  await page.fill('#title', '   ');
  await page.fill('#body', 'Kept <as> typed.');
  [res] = await submit('form[action="/api/v1/posts"]');
  is(res.status(), 422, 'a title of blanks is refused');
  is(await page.textContent('h1'), 'Write a post', 'on the form itself');
  is(await page.getAttribute('#title', 'aria-invalid'), 'true', 'the title marked');
  is(await page.textContent('#title-error'), 'Must contain a visible character.', 'its message beside it');
  is(await page.getAttribute('.error-summary a', 'href'), '#title', 'the summary links to it');
  is(await page.inputValue('#body'), 'Kept <as> typed.', 'the text kept');
  await shot(page, 'new-post-refused');

  // Write it properly, and see it.
  await page.fill('#title', 'My <first> post');
  await page.fill('#body', 'Written with JavaScript off.\nSecond line & more.');
  await page.selectOption('#status', 'published');
  await shot(page, 'new-post');
  [res] = await submit('form[action="/api/v1/posts"]');
  const url = new URL(page.url()).pathname;
  ok(/^\/posts\/\d+$/.test(url), 'saving leads to the page of the new post');
  is(res.status(), 200, 'which shows');
  is(await page.textContent('h1'), 'My <first> post', 'the title as typed');
  is((await page.innerText('.post-body')).trim(), 'Written with JavaScript off.\nSecond line & more.', 'and the text, its lines kept');
  await shot(page, 'post');

  // Edit it.
  await page.fill('#title', 'My edited post');
  [res] = await submit('form[action$="_method=PATCH"]');
  is(new URL(page.url()).pathname, url, 'saving the edit comes back to the post');
  is(await page.textContent('h1'), 'My edited post', 'with the new title');
  const id = url.split('/').pop();
  is(sql(`SELECT title FROM posts WHERE id = ${id}`), 'My edited post', 'stored');
  await shot(page, 'post-edited');

  // The home page, rendered by posts.fcgi, lists it for a reader.
  const reader = await browser.newContext({ javaScriptEnabled: false });
  const rp = await reader.newPage();
  await rp.goto(`${base}/`);
  is(await rp.textContent('.post-list li a'), 'My edited post', 'the home page lists the post');
  is(await rp.getAttribute('.post-list li a', 'href'), url, 'linking to its page');
  await shot(rp, 'home-reader');
  await reader.close();

  // Delete it.
  [res] = await submit('form[action$="_method=DELETE"]');
  is(new URL(page.url()).pathname, '/', 'deleting leads home');
  is(sql(`SELECT count(*) FROM posts WHERE id = ${id}`), '0', 'the post is gone');
  res = await page.goto(`${base}${url}`);
  is(res.status(), 404, 'its page is a 404');
  await shot(page, 'post-deleted');

  // Log out.
  await page.goto(`${base}/`);
  [res] = await submit('form[action="/api/v1/auth/logout"]');
  is(new URL(page.url()).pathname, '/', 'logging out leads home');
  ok(!(await ctx.cookies()).some((k) => k.name === '__Host-quill_session'), 'the cookie is gone');
  is(sql("SELECT revoked_reason FROM sessions WHERE kind = 'cookie' ORDER BY id DESC LIMIT 1"), 'logout',
    'the session is revoked');
  res = await page.goto(`${base}/posts?status=draft`);
  is(res.status(), 200, 'pages still open');
  await shot(page, 'logged-out');

  // A failed login shows the error page.
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', 'not the passphrase');
  [res] = await submit('form');
  is(res.status(), 401, 'a wrong password answers 401');
  is(await page.textContent('h1'), 'Log in', 'with the login form again');
  is(await page.textContent('.error-summary p'), 'The email or password is incorrect.', 'saying why');
  is(await page.inputValue('#email'), email, 'the email kept');
  is(await page.inputValue('#password'), '', 'the password not');
  ok(!(await ctx.cookies()).some((k) => k.name === '__Host-quill_session'), 'and no cookie');
  await shot(page, 'login-failed');
  await ctx.close();
});
