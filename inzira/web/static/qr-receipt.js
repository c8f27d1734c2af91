// "Verify" on a QR payment's proof: fetch the ledger receipt from this site, post it to the explorer's
// verifier (which checks it against the network's genesis only, as offline) and show the verdict in place.
(function () {
  "use strict";
  const TIMEOUT_MS = 15000;

  function line(text, className) {
    const p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    return p;
  }

  async function verify(button) {
    const box = button.closest("[data-receipt]").querySelector(".verify-result");
    box.replaceChildren(line("Verifying…"));
    try {
      const response = await fetch(button.dataset.receiptUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) throw new Error("the receipt is not available (" + response.status + ")");
      const checked = await fetch(button.dataset.verifyPath, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: await response.text(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const outcome = await checked.json();
      const verdict = outcome.valid ? "✓ valid" : "✗ not valid";
      box.replaceChildren(line(verdict, "verdict " + (outcome.valid ? "verdict-valid" : "verdict-invalid")),
        line(outcome.valid ? outcome.text : outcome.reason || outcome.detail));
    } catch (error) {
      box.replaceChildren(line("✗ not valid", "verdict verdict-invalid"), line("could not verify: " + error.message));
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-verify-receipt]");
    if (!button) return;
    event.preventDefault(); // verified in place; without the script the form posts to the server instead
    verify(button);
  });
})();
