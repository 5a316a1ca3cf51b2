// The pages of mailed links (/password/reset, /verify, /email/cancel) work
// without this script; with it, the code of the link's fragment
// (#token=..., which the browser never sends to the server, so no access
// log or Referer holds it) is filled into the form, and then leaves the
// address bar and the history too.  Only the button posts it.
'use strict';

(function () {
  var token = document.getElementById('token');
  if (!token) return;
  var t = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (t && !token.value) token.value = t;
  if (t) history.replaceState(null, '', location.pathname + location.search);
})();
