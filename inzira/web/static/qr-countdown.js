// Countdowns: [data-countdown-ms] holds the milliseconds left when the server rendered the page (so a wrong
// clock on this device does not matter). Elements swapped in later (the POS's live panel) join at the next tick.
(function () {
  "use strict";
  const TICK_MS = 1000;
  const deadlines = new WeakMap();

  function text(leftMs) {
    const seconds = Math.ceil(leftMs / 1000);
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function tick() {
    const now = performance.now();
    document.querySelectorAll("[data-countdown-ms]").forEach((element) => {
      if (!deadlines.has(element)) deadlines.set(element, now + Number(element.dataset.countdownMs));
      const leftMs = deadlines.get(element) - now;
      if (leftMs > 0) {
        element.textContent = text(leftMs);
      } else {
        element.textContent = element.dataset.expiredText || "expired";
        element.classList.add("expired");
      }
    });
  }

  tick();
  setInterval(tick, TICK_MS);
})();
