// The sending agent's page: the amount's unit follows the chosen kind, and the quote's expiry counts down.
// The server stays the judge: an expired quote is refused (3302) even if this script never ran.
(function () {
  "use strict";
  const TICK_MS = 1000;

  const form = document.querySelector("[data-amount-form]");
  if (form) {
    const unit = form.querySelector("[data-amount-unit]");
    const update = () => {
      const kind = form.querySelector('input[name="amount_type"]:checked');
      unit.textContent = kind && kind.value === "RECEIVE" ? "RWF" : form.elements.currency.value;
    };
    form.addEventListener("change", update);
    update();
  }

  const countdown = document.querySelector("[data-countdown]");
  if (!countdown) return;
  const expiresAtMs = Number(countdown.dataset.expiresAtMs);
  const skewMs = Number(countdown.dataset.nowMs) - Date.now(); // the server's clock decides expiry
  const sendButton = document.querySelector("[data-send]");
  const expiredNote = document.querySelector("[data-expired-note]");
  let timer = 0;
  // A second press would only resend the same transfer (same id), but the agent should see it is on its way.
  if (sendButton) sendButton.form.addEventListener("submit", () => { sendButton.disabled = true; });

  function tick() {
    const leftS = Math.max(0, Math.ceil((expiresAtMs - (Date.now() + skewMs)) / 1000));
    const minutes = Math.floor(leftS / 60);
    const seconds = String(leftS % 60).padStart(2, "0");
    countdown.textContent = leftS > 0 ? "expires in " + minutes + ":" + seconds : "expired";
    if (leftS > 0) return;
    countdown.classList.add("expired");
    if (sendButton) sendButton.disabled = true;
    if (expiredNote) expiredNote.hidden = false;
    window.clearInterval(timer);
  }

  tick();
  timer = window.setInterval(tick, TICK_MS);
})();
