/* global document, fetch, setTimeout */
// Small enhancements for the admin area; every page works without them.
(function () {
  'use strict';
  // Live progress of a voucher series being generated.
  var box = document.querySelector('[data-progress-url]');
  if (box) {
    var url = box.getAttribute('data-progress-url');
    var bar = box.querySelector('progress');
    var created = box.querySelector('[data-created]');
    var status = box.querySelector('[data-status]');
    var poll = function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          return r.json();
        })
        .then(function (p) {
          bar.value = p.createdCount;
          created.textContent = String(p.createdCount);
          status.textContent = p.status;
          if (p.status === 'generating') setTimeout(poll, 700);
        })
        .catch(function () {
          setTimeout(poll, 3000);
        });
    };
    if (status && status.textContent === 'generating') setTimeout(poll, 300);
  }
})();
