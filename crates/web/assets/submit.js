// Saving without surprises, on every page (issue 15): a form that posts locks its submit
// buttons while the server works, says so on the button pressed ("Đang lưu…", or
// "Đang tải lên…" when it carries a file), and ignores a second press, so a double click
// on a slow save never records the same thing twice. The site's Content-Security-Policy
// forbids inline script, so this file is served from /assets/ and included by base.html.
//
// Left alone: forms that do not post (filters, searches), forms marked data-no-lock (a
// post that answers with a file and leaves the page where it is), forms that open their
// answer elsewhere (target), and submissions another script cancelled (htmx).
(function () {
  'use strict';

  var english = (document.documentElement.lang || '').toLowerCase().indexOf('en') === 0;
  var words = english
    ? { saving: 'Saving…', uploading: 'Uploading…', wait: 'Please wait, the page is being saved.' }
    : { saving: 'Đang lưu…', uploading: 'Đang tải lên…', wait: 'Vui lòng chờ, đang lưu dữ liệu.' };

  function locks(form) {
    return (
      (form.getAttribute('method') || 'get').toLowerCase() === 'post' &&
      !form.hasAttribute('data-no-lock') &&
      !(form.getAttribute('target') || '').replace('_self', '')
    );
  }

  function buttons(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll('button:not([type=button]):not([type=reset]), input[type=submit]')
    );
  }

  // The bytes of the files chosen in the form; zero when it sends none.
  function uploadBytes(form) {
    var total = 0;
    form.querySelectorAll('input[type=file]').forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { total += f.size; });
    });
    return total;
  }

  // A size as people read it, with the page's decimal comma in Vietnamese: "12,3 MB".
  function size(bytes) {
    var mb = bytes / (1024 * 1024);
    var text = mb >= 1 ? mb.toFixed(1) + ' MB' : Math.max(1, Math.round(bytes / 1024)) + ' KB';
    return english ? text : text.replace('.', ',');
  }

  function setLabel(button, text) {
    if (button.tagName === 'INPUT') {
      button.value = text;
    } else {
      button.textContent = text;
    }
  }

  function lock(form, pressed) {
    var bytes = uploadBytes(form);
    var busy = bytes > 0 ? words.uploading : words.saving;
    form.setAttribute('aria-busy', 'true');
    buttons(form).forEach(function (button) {
      if (button.disabled) {
        return;
      }
      button.setAttribute('data-locked', button.tagName === 'INPUT' ? button.value : button.innerHTML);
      button.disabled = true;
      if (button === pressed) {
        button.classList.add('busy');
        setLabel(button, busy);
      }
    });
    // A file on its way: an indeterminate progress bar and its size, so that a long
    // upload over a slow line is seen to be under way rather than stuck.
    if (bytes > 0 && !form.querySelector('.upload-progress')) {
      var note = document.createElement('p');
      note.className = 'upload-progress';
      note.setAttribute('role', 'status');
      var bar = document.createElement('progress');
      note.appendChild(bar);
      note.appendChild(document.createTextNode(' ' + words.uploading + ' ' + size(bytes)));
      (pressed && pressed.parentNode === form ? pressed : form.lastChild).after(note);
    }
  }

  // The page as it was before the submission: every locked button pressable again with
  // its own label, and the progress note gone.
  function unlock(form) {
    form.removeAttribute('aria-busy');
    form.removeAttribute('data-submitting');
    form.querySelectorAll('[data-locked]').forEach(function (button) {
      var label = button.getAttribute('data-locked');
      if (button.tagName === 'INPUT') {
        button.value = label;
      } else {
        button.innerHTML = label;
      }
      button.removeAttribute('data-locked');
      button.classList.remove('busy');
      button.disabled = false;
    });
    form.querySelectorAll('.upload-progress').forEach(function (note) { note.remove(); });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !locks(form)) {
      return;
    }
    if (form.hasAttribute('data-submitting')) {
      // The first press is on its way; a second one would post the same thing again.
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    form.setAttribute('data-submitting', '');
    var pressed = event.submitter || null;
    // The buttons are disabled after this event has run: a disabled button is left out
    // of what the form sends, and the one pressed may carry a name and value
    // (name="action" value="save").
    window.setTimeout(function () { lock(form, pressed); }, 0);
  });

  // A page the browser shows again from its back-forward cache keeps the locked buttons
  // it was left with: the form was sent, and may be changed and sent again.
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) {
      document.querySelectorAll('form[data-submitting]').forEach(unlock);
    }
  });
})();
