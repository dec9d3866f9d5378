// The terminal's screen: the on-screen keypad and the idle timeout. No inline script (CSP 'self').
(function () {
  "use strict";

  // One keypad per form: it types into the field last touched (a form of two fields, such as the
  // spouse's ID number and phone, has one keypad, not two).
  function keypad(pad) {
    var form = pad.closest("form");
    var fields = form ? form.querySelectorAll("input.k-id") : [];
    fields.forEach(function (field) {
      field.addEventListener("focus", function () {
        pad.dataset.target = field.id;
        fields.forEach(function (f) { f.classList.toggle("k-active", f === field); });
      });
    });
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      var input = document.getElementById(pad.dataset.target);
      if (!key || !input) return;
      var value = input.value, max = input.maxLength > 0 ? input.maxLength : 18;
      if (key.dataset.key === "del") value = value.slice(0, -1);
      else if (key.dataset.key === "clear") value = "";
      else if (value.length < max) value += key.dataset.key;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      var at = Array.prototype.indexOf.call(fields, input);
      if (value.length === max && at >= 0 && at + 1 < fields.length) fields[at + 1].focus();
    });
  }

  // After `idle` seconds without a touch the session ends (the server wipes it) and the screen
  // goes back to the welcome; the last seconds are counted down on a dialog.
  function idleTimer(idle) {
    var warning = document.getElementById("idle-warning");
    var count = document.getElementById("idle-count");
    var end = document.getElementById("kiosk-end");
    var warnFor = Math.min(10, Math.floor(idle / 2));
    var last = Date.now();
    var ended = false;
    function touched() { last = Date.now(); if (warning) warning.hidden = true; }
    ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
      document.addEventListener(name, touched, { passive: true });
    });
    var stay = document.getElementById("idle-stay");
    if (stay) stay.addEventListener("click", touched);
    setInterval(function () {
      var left = idle - Math.floor((Date.now() - last) / 1000);
      if (ended) return;
      if (left <= 0) {
        ended = true;
        document.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        document.querySelector("main").innerHTML = "";
        if (end) end.submit(); else window.location.replace("/kiosk");
        return;
      }
      if (left <= warnFor && warning) { warning.hidden = false; count.textContent = String(left); }
    }, 250);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".k-keypad").forEach(keypad);
    var idle = parseInt(document.body.dataset.idle || "0", 10);
    if (idle > 0) idleTimer(idle);
  });
})();
