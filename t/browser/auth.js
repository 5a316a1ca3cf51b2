// The pages of accounts and sessions (auth.fcgi), walked with JavaScript
// off at 1280 px and at 390 px wide: each page as a visitor or the
// logged-in reader opens it, each form refused (the page again, what was
// typed kept, never a password) and then done (the next page, with its
// notice).  Each page is kept as a screenshot, must have no axe-core
// violation, and must pass the Nu HTML Checker with no error.
'use strict';

const { ok, is, sql, newestMail, run, pageChecker, base } = require('./tap');

const widths = [{ name: 'wide', width: 1280, height: 900 }, { name: 'phone', width: 390, height: 844 }];

run(async (browser) => {
  const { check, validate, close } = await pageChecker(browser, 'auth-html');

  for (const w of widths) {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: w.width, height: w.height } });
    const page = await ctx.newPage();
    const submit = async (sel) => (await Promise.all([page.waitForNavigation(), page.click(sel)]))[0];
    const path = () => new URL(page.url()).pathname;
    const notice = async () => ((await page.locator('p.notice').count()) ? page.textContent('p.notice') : '');
    const open = async (p, name) => {
      const res = await page.goto(`${base}${p}`);
      is(res.status(), 200, `${w.name}: ${p} opens`);
      await check(page, res, `${w.name}-${name}`);
      return res;
    };
    const email = `auth.${w.name}.${process.pid}@example.com`;
    let password = 'a browser typed passphrase';
    let res;

    // The pages of a visitor.
    await open('/logout', 'logout-visitor');
    ok(/You are not logged in/.test(await page.textContent('main')), `${w.name}: /logout tells a visitor so`);
    res = await page.goto(`${base}/account/sessions`);
    is(path(), '/login', `${w.name}: the sessions page sends a visitor to log in`);

    // Register; the same address again is refused, the name kept.
    await open('/register', 'register');
    await page.fill('#name', `Ada ${w.name}`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    res = await submit('main button[type=submit]');
    is(path(), '/login', `${w.name}: registering leads to the login page`);
    is(await notice(), 'Your account is ready. Log in to start.', `${w.name}: saying the account is ready`);
    await check(page, res, `${w.name}-registered`);
    await page.goto(`${base}/register`);
    await page.fill('#name', 'Ada <again>');
    await page.fill('#email', email);
    await page.fill('#password', password);
    res = await submit('main button[type=submit]');
    is(res.status(), 409, `${w.name}: an address already taken is refused`);
    is(await page.inputValue('#name'), 'Ada <again>', `${w.name}: the name kept`);
    is(await page.inputValue('#password'), '', `${w.name}: the password not`);
    await check(page, res, `${w.name}-register-taken`);

    // Confirm the address: a wrong code, then the mailed one.
    const mail = newestMail();
    const code = (mail.match(/^([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})$/m) || [])[1];
    ok(/\/verify#token=/.test(mail) && code, `${w.name}: the mail links to /verify, and prints a code`);
    await open('/verify', 'verify');
    await page.fill('#email', email);
    await page.fill('#code', 'aaaa-bbbb-cccc');
    res = await submit('form:has(#code) button[type=submit]');
    is(res.status(), 422, `${w.name}: a wrong code is refused`);
    is(await page.inputValue('#email'), email, `${w.name}: the address kept`);
    is(await page.getAttribute('#code', 'aria-describedby'), 'code-error', `${w.name}: the code names its message`);
    await check(page, res, `${w.name}-verify-refused`);
    await page.fill('#code', code);
    res = await submit('form:has(#code) button[type=submit]');
    is(path(), '/', `${w.name}: the right code leads home`);
    is(await notice(), 'Your email address is confirmed.', `${w.name}: saying so`);
    is(sql(`SELECT verified_at IS NOT NULL FROM users WHERE email = '${email}'`), '1', `${w.name}: confirmed`);

    // The cancel page of an email change, refused.
    await open('/email/cancel', 'email-cancel');
    await page.fill('#token', 'not-a-code');
    res = await submit('main button[type=submit]');
    is(res.status(), 422, `${w.name}: a cancel code that is none is refused`);
    is(await page.inputValue('#token'), 'not-a-code', `${w.name}: the code kept`);
    await check(page, res, `${w.name}-email-cancel-refused`);

    // Log in: a wrong password, then the right one.
    await open('/login', 'login');
    await page.fill('#email', email);
    await page.fill('#password', 'not the passphrase at all');
    res = await submit('main button[type=submit]');
    is(res.status(), 401, `${w.name}: a wrong password is refused`);
    is(await page.inputValue('#email'), email, `${w.name}: the email kept`);
    is(await page.inputValue('#password'), '', `${w.name}: the password not`);
    await check(page, res, `${w.name}-login-refused`);
    await page.fill('#password', password);
    res = await submit('main button[type=submit]');
    is(path(), '/', `${w.name}: logging in leads home`);
    is(await notice(), 'You are logged in.', `${w.name}: saying so`);
    for (const [href, text] of [['/password/change', 'Password'], ['/account/two-factor', 'Two-factor'],
      ['/account/sessions', 'Sessions']]) {
      is(await page.locator(`nav a[href="${href}"]`).textContent(), text, `${w.name}: the navigation has ${text}`);
    }
    is(await page.locator('nav a[href="/login"]').count(), 0, `${w.name}: and no Log in`);

    // Sessions: another one (an app), ended; then all the others.
    const api = await fetch(`${base}/api/v1/auth/login`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'An app of the test/1.0' },
      body: JSON.stringify({ email, password }) });
    is(api.status, 200, `${w.name}: an app logs in too`);
    await fetch(`${base}/api/v1/auth/login`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    await open('/account/sessions', 'sessions');
    is(await page.locator('ul.sessions > li').count(), 3, `${w.name}: three sessions listed`);
    is(await page.locator('ul.sessions .tag').textContent(), 'this browser', `${w.name}: this one marked`);
    res = await submit('li:has-text("An app of the test") button[type=submit]');
    is(path(), '/account/sessions', `${w.name}: ending one comes back to the sessions`);
    is(await notice(), 'That session has ended.', `${w.name}: saying so`);
    is(await page.locator('ul.sessions > li').count(), 2, `${w.name}: two left`);
    await check(page, res, `${w.name}-session-ended`);
    res = await submit('#end-others');
    is(await notice(), 'Your other sessions have ended.', `${w.name}: then every other session ends`);
    is(await page.locator('ul.sessions > li').count(), 1, `${w.name}: this one left`);
    await check(page, res, `${w.name}-sessions-ended`);

    // Change the password: a wrong current one, then done.
    await open('/password/change', 'password-change');
    await page.fill('#currentPassword', 'not the passphrase at all');
    await page.fill('#newPassword', 'another browser passphrase');
    res = await submit('main button[type=submit]');
    is(res.status(), 422, `${w.name}: a wrong current password is refused`);
    is(await page.inputValue('#newPassword'), '', `${w.name}: no password is sent back`);
    await check(page, res, `${w.name}-password-change-refused`);
    await page.fill('#currentPassword', password);
    password = 'another browser passphrase';
    await page.fill('#newPassword', password);
    res = await submit('main button[type=submit]');
    is(path(), '/account/sessions', `${w.name}: changing it leads to the sessions`);
    is(await notice(), 'Password changed. Your other sessions have ended.', `${w.name}: saying so`);
    await check(page, res, `${w.name}-password-changed`);

    // Confirm it is you: a wrong password, then the right one.
    await open('/reauth', 'reauth');
    await page.fill('#currentPassword', 'not the passphrase at all');
    res = await submit('main button[type=submit]');
    is(res.status(), 422, `${w.name}: a wrong password to confirm is refused`);
    is(await page.getAttribute('#currentPassword', 'aria-invalid'), 'true', `${w.name}: marked`);
    await check(page, res, `${w.name}-reauth-refused`);
    await page.fill('#currentPassword', password);
    res = await submit('main button[type=submit]');
    is(path(), '/', `${w.name}: the right one goes on`);

    await open('/account/two-factor', 'two-factor');

    // Log out everywhere.
    await open('/logout', 'logout');
    res = await submit('#logout-everywhere');
    is(path(), '/', `${w.name}: logging out everywhere leads home`);
    is(await notice(), 'You are logged out on every device.', `${w.name}: saying so`);
    ok(!(await ctx.cookies()).some((k) => k.name === '__Host-quill_session'), `${w.name}: the cookie is gone`);
    is(sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}' AND s.revoked_at IS NULL`),
      '0', `${w.name}: no session of the account is left`);

    // Forgot and reset, without script: the code pasted from the mail.
    await open('/password/forgot', 'password-forgot');
    await page.fill('#email', email);
    res = await submit('main button[type=submit]');
    is(path(), '/login', `${w.name}: asking for a reset leads to the login page`);
    ok(/a reset link is on its way/.test(await notice()), `${w.name}: saying to check the mail`);
    await check(page, res, `${w.name}-reset-sent`);
    const reset = newestMail();
    const link = (reset.match(/^(https?:\/\/\S+\/password\/reset)#token=\S+$/m) || [])[1];
    const token = (reset.match(/^([A-Za-z0-9_-]{43})$/m) || [])[1];
    ok(link && token, `${w.name}: the mail links to /password/reset, and prints the code`);
    res = await page.goto(`${link}#token=${token}`);
    await check(page, res, `${w.name}-password-reset`);
    await page.fill('#token', 'not-a-code');
    await page.fill('#password', 'a third browser passphrase');
    res = await submit('main button[type=submit]');
    is(res.status(), 422, `${w.name}: a reset code that is none is refused`);
    is(await page.inputValue('#token'), 'not-a-code', `${w.name}: the code kept`);
    is(await page.inputValue('#password'), '', `${w.name}: the password not`);
    await check(page, res, `${w.name}-password-reset-refused`);
    await page.fill('#token', token);
    await page.fill('#password', 'a third browser passphrase');
    res = await submit('main button[type=submit]');
    is(path(), '/login', `${w.name}: the code sets the new password`);
    is(await notice(), 'Password reset. Log in with the new one.', `${w.name}: saying so`);
    await ctx.close();
  }
  await close();
  ok(validate() >= 40, 'the checker read every page');
});
