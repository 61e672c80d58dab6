/* global document, window, fetch, setTimeout, clearTimeout */
/**
 * Customer portal enhancement: keeps the dashboard's numbers current without a reload.
 * Every ~15 s it asks /portal/api/summary (same session cookie) and writes the new values into
 * the elements marked data-live / data-live-progress / data-live-html. When vouchers or sessions
 * came or went (the fingerprint changed) it reloads the page instead. Without JavaScript the
 * page works the same, only without the refresh.
 */
(function () {
  const root = document.querySelector('[data-live-url]');
  if (!root || typeof fetch !== 'function') return;
  const url = root.getAttribute('data-live-url');
  const fingerprint = root.getAttribute('data-fingerprint');
  const INTERVAL_MS = 15000;
  let timer;

  const hint = root.querySelector('.live-hint');
  if (hint) hint.hidden = false;

  function apply(data) {
    // Pages without a fingerprint (a voucher's detail) only update numbers, never reload.
    if (fingerprint !== null && data.fingerprint !== fingerprint) {
      window.location.reload();
      return;
    }
    root.querySelectorAll('[data-live]').forEach((element) => {
      const value = data.text[element.getAttribute('data-live')];
      if (typeof value === 'string' && element.textContent !== value) element.textContent = value;
    });
    root.querySelectorAll('progress[data-live-progress]').forEach((element) => {
      const value = data.progress[element.getAttribute('data-live-progress')];
      if (typeof value !== 'number') return;
      element.value = value;
      element.textContent = value + '%';
      element.classList.toggle('progress-high', value >= 90);
    });
    // Server-rendered markup from our own origin (the chart carries no user text).
    Object.keys(data.html || {}).forEach((key) => {
      const container = root.querySelector('[data-live-html="' + key + '"]');
      if (container && container.innerHTML !== data.html[key]) container.innerHTML = data.html[key];
    });
    root.setAttribute('data-refreshed', String(Date.now()));
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, document.hidden ? INTERVAL_MS * 4 : INTERVAL_MS);
  }

  // The ETag of the last summary applied: an unchanged refresh is answered 304 with no body.
  let lastEtag = '';

  function poll() {
    const headers = { accept: 'application/json' };
    if (lastEtag) headers['if-none-match'] = lastEtag;
    fetch(url, { credentials: 'same-origin', cache: 'no-store', headers })
      .then((response) => {
        if (response.status === 304) return undefined;
        if (response.status === 401) {
          // The session ended (signed out elsewhere, expired): show the sign-in page.
          window.location.reload();
          return undefined;
        }
        if (!response.ok) return undefined;
        lastEtag = response.headers.get('etag') || '';
        return response.json();
      })
      .then((data) => {
        if (data) apply(data);
      })
      .catch(() => {
        /* offline for a moment: try again at the next tick */
      })
      .finally(schedule);
  }

  // Exposed for tests and for a manual refresh from the console.
  window.porticoRefresh = poll;
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });
  schedule();
})();
