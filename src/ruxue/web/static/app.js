// Page behaviour without inline scripts (a strict Content-Security-Policy allows only files).
(function () {
  // After a failed submit, move focus to the first field marked invalid, else to the message.
  // A fieldset marked invalid (a group of checkboxes) gives focus to its first box.
  var target = document.querySelector('[aria-invalid="true"]');
  if (target && target.tagName === "FIELDSET") target = target.querySelector("input, select, textarea");
  target = target || document.querySelector('[role="alert"]');
  if (target) target.focus();
  // A form that starts itself (step 4 asks the departments as soon as the page opens; not after
  // an error, which would loop on the message).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.requestSubmit(); });
})();
