// A forgotten password through the site's pages, twice: with
// JavaScript, where the mailed link fills the reset form from its fragment
// (#token=, which the browser never sends to the server), and without,
// where the visitor pastes the code the mail prints on a line of its own.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ok, is, sql, newestMail, shot, run, base } = require('./tap');

const email = `reset.${process.pid}@example.com`;

// Asks for a reset through the form; returns the mail's link and code.
async function askForReset(page) {
  await page.goto(`${base}/password/forgot`);
  await page.fill('#email', email);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  is(new URL(page.url()).pathname, '/login', 'asking for a reset leads to the login page');
  ok(/a reset link is on its way/.test(await page.textContent('p.notice')), 'which says to check the mail');
  const mail = newestMail();
  const link = (mail.match(/^(https?:\/\/\S+\/password\/reset\S*)$/m) || [])[1] || '';
  const code = (mail.match(/^([A-Za-z0-9_-]{43})$/m) || [])[1] || '';
  ok(/#token=[A-Za-z0-9_-]{43}$/.test(link), 'the mailed link carries the code in its fragment');
  is(link.split('#token=')[1], code, 'and the mail prints the same code on a line of its own');
  return { link, code };
}

// Chooses a new password on the open reset page; returns the answer.
async function choose(page, password) {
  await page.fill('#password', password);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  return res;
}

run(async (browser) => {
  // An account, through the API.
  const reg = await fetch(`${base}/api/v1/auth/register`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'the first password 1', name: 'Resetter' }) });
  is(reg.status, 201, 'an account is registered');

  // With JavaScript: the link fills the form, and leaves the address bar.
  const withJs = await browser.newContext();
  let page = await withJs.newPage();
  let mail = await askForReset(page);
  await page.goto(mail.link);
  await page.waitForFunction(() => document.getElementById('token').value !== '');
  is(await page.inputValue('#token'), mail.code, 'with JavaScript, the link fills in the code');
  is(new URL(page.url()).hash, '', 'and the code leaves the address bar');
  await shot(page, 'reset-with-javascript');
  await choose(page, 'the second password 2');
  is(new URL(page.url()).pathname, '/login', 'the new password is set, and the login page follows');
  is(sql(`SELECT count(*) FROM reset_tokens WHERE used_at IS NULL`), '0', 'the code is spent');
  await withJs.close();

  // Without JavaScript: the page asks for the code, which the mail shows.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  page = await noJs.newPage();
  mail = await askForReset(page);
  await page.goto(mail.link);
  is(await page.inputValue('#token'), '', 'without JavaScript, the field waits for the code');
  ok(await page.isVisible('#token'), 'in plain sight');
  await page.fill('#token', mail.code);
  await shot(page, 'reset-without-javascript');
  await choose(page, 'the third password 3');
  is(new URL(page.url()).pathname, '/login', 'the pasted code sets the new password');

  // The new password works; the one before does not.
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', 'the third password 3');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  is(new URL(page.url()).pathname, '/', 'which logs in');
  await noJs.close();
});
