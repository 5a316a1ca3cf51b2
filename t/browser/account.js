// The pages of users.fcgi walked with JavaScript off at 1280 px and at
// 390 px wide: the account (the name, the email change left pending,
// deleting the account), and for an admin the users (a page, "More users",
// a search) and a user's page (the role, disable and enable, delete, the
// last admin's rule beside the form).  Each form is sent wrong and right.
// Every page is kept as a screenshot, must have no axe-core violation, and
// must pass the Nu HTML Checker with no error (tap.js: pageChecker).
'use strict';

const { ok, is, sql, run, base, pageChecker } = require('./tap');

const password = 'an account page passphrase';
const widths = [{ name: 'wide', width: 1280, height: 900 }, { name: 'phone', width: 390, height: 844 }];

// A confirmed account, logged in by a form in browser context ctx; its id.
async function account(ctx, name, email) {
  const r = await ctx.request.post(`${base}/api/v1/auth/register`, { data: { name, email, password } });
  if (r.status() !== 201) throw new Error(`register ${email}: ${r.status()} ${(await r.text()).slice(0, 300)}`);
  sql(`UPDATE users SET verified_at = created_at WHERE email = '${email}'`);
  const l = await ctx.request.post(`${base}/api/v1/auth/login`, {
    form: { email, password, returnTo: '/' }, headers: { Origin: base }, maxRedirects: 0 });
  if (l.status() !== 303) throw new Error(`login ${email}: ${l.status()} ${(await l.text()).slice(0, 300)}`);
  return sql(`SELECT id FROM users WHERE email = '${email}'`);
}

run(async (browser) => {
  const { check, validate, close } = await pageChecker(browser, 'account-html');

  for (const w of widths) {
    const viewport = { width: w.width, height: w.height };
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport });
    const page = await ctx.newPage();
    const click = async (p, selector) => {
      const [res] = await Promise.all([p.waitForNavigation(), p.click(selector)]);
      return res;
    };
    const tag = `${w.name}.${process.pid}`;

    // A visitor is sent to log in first, and back after.
    const anon = await browser.newContext({ javaScriptEnabled: false, viewport });
    const ap = await anon.newPage();
    await ap.goto(`${base}/account`);
    const at = new URL(ap.url());
    is(at.pathname, '/login', `${w.name}: a visitor opening the account is sent to log in`);
    is(at.searchParams.get('returnTo'), '/account', `${w.name}: and back to the account after`);
    await anon.close();

    // The account: the name.
    const email = `account.${tag}@example.com`;
    await account(ctx, `Kim ${w.name}`, email);
    let res = await page.goto(`${base}/account`);
    is(res.status(), 200, `${w.name}: the account page`);
    is(await page.inputValue('#name'), `Kim ${w.name}`, `${w.name}: holds the name`);
    is(await page.textContent('#current-email'), email, `${w.name}: and the address`);
    is(await page.locator('nav a[href="/account"]').count(), 1, `${w.name}: the navigation leads to it`);
    is(await page.locator('nav a[href="/admin/users"]').count(), 0, `${w.name}: and not to the users, for a user`);
    await check(page, res, `${w.name}-account`);
    await page.fill('#name', ' ');
    res = await click(page, '#save-name');
    is(res.status(), 422, `${w.name}: a blank name is refused`);
    is(await page.getAttribute('#name', 'aria-describedby'), 'name-error', `${w.name}: the name names its message`);
    is(await page.locator('.error-summary a[href="#name"]').count(), 1, `${w.name}: the summary links to it`);
    await check(page, res, `${w.name}-account-name-refused`);
    await page.fill('#name', `Kim Renamed ${w.name}`);
    res = await click(page, '#save-name');
    is(new URL(page.url()).pathname, '/account', `${w.name}: a name saved leads back to the account`);
    is(await page.textContent('p.notice[role=status]'), 'Name saved.', `${w.name}: which says so`);
    is(await page.inputValue('#name'), `Kim Renamed ${w.name}`, `${w.name}: and shows it`);
    await check(page, res, `${w.name}-account-name-saved`);

    // The email: the password is asked, and the new address waits.
    const newEmail = `new.${email}`;
    await page.fill('#email', newEmail);
    await page.fill('#currentPassword', 'not the passphrase at all');
    res = await click(page, '#change-email');
    ok(res.status() === 422 || res.status() === 401, `${w.name}: a wrong password is refused (${res.status()})`);
    is(await page.getAttribute('#currentPassword', 'aria-describedby'), 'currentPassword-error',
      `${w.name}: the password names its message`);
    is(await page.inputValue('#email'), newEmail, `${w.name}: the new address kept`);
    is(await page.inputValue('#currentPassword'), '', `${w.name}: the password not`);
    await check(page, res, `${w.name}-account-email-refused`);
    sql('DELETE FROM login_failures');
    await page.fill('#currentPassword', password);
    res = await click(page, '#change-email');
    is(new URL(page.url()).pathname, '/account', `${w.name}: an email change leads back to the account`);
    ok(/new address/.test(await page.textContent('p.notice[role=status]')), `${w.name}: which says what comes next`);
    ok((await page.textContent('#pending-email')).includes(newEmail), `${w.name}: the new address is pending`);
    is(await page.textContent('#current-email'), email, `${w.name}: the old one stays until then`);
    await check(page, res, `${w.name}-account-email-pending`);

    // Deleting the account, with the password.
    res = await click(page, 'a[href="/account/delete"]');
    is(res.status(), 200, `${w.name}: the delete page`);
    await check(page, res, `${w.name}-account-delete`);
    await page.fill('#currentPassword', 'not the passphrase at all');
    res = await click(page, '#delete-account');
    ok(res.status() === 422 || res.status() === 401, `${w.name}: a wrong password does not delete (${res.status()})`);
    is(await page.getAttribute('#currentPassword', 'aria-describedby'), 'currentPassword-error',
      `${w.name}: its message beside the field`);
    await check(page, res, `${w.name}-account-delete-refused`);
    sql('DELETE FROM login_failures');
    await page.fill('#currentPassword', password);
    res = await click(page, '#delete-account');
    is(new URL(page.url()).pathname, '/', `${w.name}: deleting the account leads home`);
    is(await page.textContent('p.notice[role=status]'), 'Your account and your posts are deleted.', `${w.name}: which says so`);
    is(sql(`SELECT count(*) FROM users WHERE email = '${email}'`), '0', `${w.name}: the account is gone`);
    await check(page, res, `${w.name}-account-deleted`);
    await ctx.close();

    // An admin (with two-factor sign-in on, as this server wants of
    // admins), among other users.
    const actx = await browser.newContext({ javaScriptEnabled: false, viewport });
    const ad = await actx.newPage();
    const admin = await account(actx, `Admin ${w.name}`, `admin.${tag}@example.com`);
    sql(`UPDATE users SET role = 'admin' WHERE id = ${admin}`);
    sql(`INSERT INTO user_totp (user_id, secret, created_at, enabled_at) VALUES (${admin}, zeroblob(60), strftime('%s','now'), strftime('%s','now'))`);
    for (let i = 1; i <= 3; i++) {
      sql(`INSERT INTO users (email, name, password_hash, role, created_at, updated_at) VALUES ('member${i}.${tag}@example.com', 'Member ${i} ${w.name}', 'x', 'user', strftime('%s','now') - ${i}, strftime('%s','now') - ${i})`);
    }
    res = await ad.goto(`${base}/admin/users?limit=2`);
    is(res.status(), 200, `${w.name}: the users`);
    is(await ad.locator('nav a[href="/admin/users"]').count(), 1, `${w.name}: the navigation leads an admin to them`);
    is(await ad.locator('ul.post-list > li').count(), 2, `${w.name}: a page of them`);
    await check(ad, res, `${w.name}-admin-users`);
    res = await click(ad, 'a:text("More users")');
    is(await ad.locator('ul.post-list > li').count(), 2, `${w.name}: "More users" shows the next`);
    await check(ad, res, `${w.name}-admin-users-more`);
    await ad.fill('#q', `Member 2 ${w.name}`);
    res = await click(ad, 'form.search button[type=submit]');
    is(await ad.inputValue('#q'), `Member 2 ${w.name}`, `${w.name}: the search is kept in its field`);
    is(await ad.locator('ul.post-list > li').count(), 1, `${w.name}: and finds the one`);
    await check(ad, res, `${w.name}-admin-users-search`);
    await ad.fill('#q', `nobody ${tag}`);
    res = await click(ad, 'form.search button[type=submit]');
    ok(/No users match/.test(await ad.textContent('main')), `${w.name}: a search that finds no one says so`);
    await check(ad, res, `${w.name}-admin-users-none`);

    // A user's page: the role, disable and enable, delete.
    const member = sql(`SELECT id FROM users WHERE email = 'member2.${tag}@example.com'`);
    res = await ad.goto(`${base}/admin/users?q=${encodeURIComponent(`Member 2 ${w.name}`)}`);
    res = await click(ad, `a[href="/admin/users/${member}"]`);
    is(res.status(), 200, `${w.name}: a user's page`);
    await check(ad, res, `${w.name}-admin-user`);
    await ad.selectOption('#role', 'moderator');
    res = await click(ad, '#change-role');
    is(new URL(ad.url()).pathname, `/admin/users/${member}`, `${w.name}: a new role leads back to the user`);
    is(await ad.textContent('p.notice[role=status]'), 'Role changed.', `${w.name}: which says so`);
    is(sql(`SELECT role FROM users WHERE id = ${member}`), 'moderator', `${w.name}: the role is changed`);
    await check(ad, res, `${w.name}-admin-user-role-changed`);
    res = await click(ad, '#toggle-disabled');
    ok(/^Account disabled\./.test(await ad.textContent('p.notice[role=status]')), `${w.name}: disabled`);
    is(sql(`SELECT disabled FROM users WHERE id = ${member}`), '1', `${w.name}: the account is disabled`);
    await check(ad, res, `${w.name}-admin-user-disabled`);
    res = await click(ad, '#toggle-disabled');
    is(await ad.textContent('p.notice[role=status]'), 'Account enabled.', `${w.name}: enabled again`);
    res = await click(ad, '#delete-user');
    is(new URL(ad.url()).pathname, '/admin/users', `${w.name}: deleting a user leads to the users`);
    is(await ad.textContent('p.notice[role=status]'), 'User deleted, with their posts.', `${w.name}: which says so`);
    is(sql(`SELECT count(*) FROM users WHERE id = ${member}`), '0', `${w.name}: the user is gone`);
    await check(ad, res, `${w.name}-admin-user-deleted`);

    // The last admin: the rule beside the form, the page kept.
    res = await ad.goto(`${base}/admin/users/${admin}`);
    ok(/last active admin/.test(await ad.textContent('#last-admin')), `${w.name}: the page says the rule first`);
    await ad.selectOption('#role', 'user');
    res = await click(ad, '#change-role');
    is(res.status(), 409, `${w.name}: the last admin cannot stop being one`);
    ok(/last active admin/.test(await ad.textContent('section[aria-labelledby=role-heading] .error-summary')),
      `${w.name}: the rule is said beside the role form`);
    is(await ad.textContent('h1'), `Admin ${w.name}`, `${w.name}: on the user's page`);
    is(sql(`SELECT role FROM users WHERE id = ${admin}`), 'admin', `${w.name}: still an admin`);
    await check(ad, res, `${w.name}-admin-user-last-admin`);
    res = await click(ad, '#delete-user');
    is(res.status(), 409, `${w.name}: nor be deleted`);
    ok(/last active admin/.test(await ad.textContent('section[aria-labelledby=delete-heading] .error-summary')),
      `${w.name}: the rule is said beside the delete form`);
    await check(ad, res, `${w.name}-admin-user-last-admin-delete`);

    // A user may not see the users.
    sql(`UPDATE users SET role = 'user' WHERE id = ${admin}`);
    res = await ad.goto(`${base}/admin/users`);
    is(res.status(), 403, `${w.name}: a user opening the users is refused`);
    is(await ad.locator('nav a[href="/admin/users"]').count(), 0, `${w.name}: and not led there`);
    await check(ad, res, `${w.name}-admin-users-forbidden`);
    await actx.close();
  }
  await close();
  is(validate(), 2 * 19, 'the checker read every page');
});
