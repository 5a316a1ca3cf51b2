// Quill's pages work without this script; with it they do a little more:
// forms marked data-csrf carry the session's CSRF token, the reset form is
// filled from its link's fragment, and the home page greets the user and
// lists posts.
'use strict';

(function () {
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  // The token is fetched only for a browser session (the cookie).
  var csrfForms = document.querySelectorAll('form[data-csrf]');
  if (csrfForms.length > 0) {
    getJSON('/api/v1/auth/csrf').then(function (j) {
      if (!j || !j.data || !j.data.csrfToken) return;
      csrfForms.forEach(function (f) {
        var i = document.createElement('input');
        i.type = 'hidden';
        i.name = 'csrfToken';
        i.value = j.data.csrfToken;
        f.appendChild(i);
      });
    });
  }

  // The reset link carries its code in the fragment (#token=...), which
  // the browser never sends to a server: no access log or Referer holds it.
  // Once in the field, it leaves the address bar and the history too.
  var token = document.getElementById('token');
  if (token) {
    var t = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
    if (t && !token.value) token.value = t;
    if (t) history.replaceState(null, '', location.pathname + location.search);
  }

  var who = document.getElementById('whoami');
  if (who) {
    getJSON('/api/v1/users/me').then(function (j) {
      if (j && j.data) who.textContent = 'Logged in as ' + j.data.name + ' (' + j.data.email + ').';
    });
  }

  var list = document.getElementById('latest-list');
  if (list) {
    getJSON('/api/v1/posts?limit=10').then(function (j) {
      if (!j || !Array.isArray(j.data)) return;
      j.data.forEach(function (p) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '/api/v1/posts/' + encodeURIComponent(p.id);
        a.textContent = p.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      document.getElementById('latest').hidden = j.data.length === 0;
    });
  }
})();
