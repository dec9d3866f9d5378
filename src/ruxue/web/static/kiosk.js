// The terminal's screen: the on-screen keypad and the idle timeout. No inline script (CSP 'self').
(function () {
  "use strict";

  function keypad(pad) {
    var input = document.getElementById(pad.dataset.target);
    if (!input) return;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) return;
      var value = input.value, max = input.maxLength > 0 ? input.maxLength : 18;
      if (key.dataset.key === "del") value = value.slice(0, -1);
      else if (key.dataset.key === "clear") value = "";
      else if (value.length < max) value += key.dataset.key;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
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
