/* global document, fetch, setTimeout */
/**
 * Follows a disconnect the server was still checking when it answered (portal and admin): an
 * element with data-follow-disconnect="<url>" shows "disconnecting…"; this asks <url> (JSON
 * { state, text }) every second, then less often, and writes the outcome in when the state is
 * no longer "checking". Without JavaScript, reloading the page shows the same outcome.
 */
(function () {
  'use strict';
  if (typeof fetch !== 'function') return;
  var GIVE_UP_MS = 120000;
  document.querySelectorAll('[data-follow-disconnect]').forEach(function (element) {
    var url = element.getAttribute('data-follow-disconnect');
    if (!url) return;
    var started = Date.now();
    element.setAttribute('aria-live', 'polite');
    element.setAttribute('data-state', 'checking');
    var poll = function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) {
          if (!response.ok) throw new Error('status ' + response.status);
          return response.json();
        })
        .then(function (answer) {
          if (answer.state === 'checking') return next();
          if (typeof answer.text === 'string') element.textContent = answer.text;
          element.setAttribute('data-state', String(answer.state));
        })
        .catch(next);
    };
    function next() {
      var waited = Date.now() - started;
      if (waited < GIVE_UP_MS) setTimeout(poll, waited < 10000 ? 1000 : 3000);
    }
    setTimeout(poll, 700);
  });
})();
