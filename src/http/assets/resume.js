/* global document, URL */
/**
 * A form sent after its session expired opens again after the sign-in (issue 15, 8c): the server
 * puts what was typed into the page as JSON (#portico-resume, never executed); this fills the
 * form with the same action back in and says so above it. The person checks and sends it again.
 */
(function () {
  'use strict';
  var data = document.getElementById('portico-resume');
  if (!data) return;
  var kept;
  try {
    kept = JSON.parse(data.textContent || '');
  } catch {
    return;
  }
  var form = Array.prototype.find.call(document.forms, function (candidate) {
    return new URL(candidate.action, document.baseURI).pathname === kept.action;
  });
  if (!form) return;
  Object.keys(kept.fields || {}).forEach(function (name) {
    var field = form.elements.namedItem(name);
    if (!field || field.type === 'hidden' || field.type === 'password' || field.type === 'file') return;
    if (field.type === 'checkbox' || field.type === 'radio')
      field.checked = field.value === kept.fields[name];
    else field.value = kept.fields[name];
  });
  var note = document.createElement('p');
  note.className = 'notice';
  note.setAttribute('role', 'status');
  note.setAttribute('data-resumed', '');
  note.textContent = kept.note;
  form.insertBefore(note, form.firstChild);
})();
