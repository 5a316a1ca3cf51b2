// Quill's pages work without this script; with it they do a little more:
// forms marked data-csrf carry the session's CSRF token, the reset form is
// filled from its link, and the home page greets the user and lists posts.
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

  var token = document.getElementById('token');
  if (token && !token.value) {
    var t = new URLSearchParams(location.search).get('token');
    if (t) token.value = t;
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
