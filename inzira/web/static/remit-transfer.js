// A transfer's page: the status panel follows the transfer live (server-sent events from this site, sent
// with the session cookie), and Verify checks every ledger receipt of the transfer with the explorer.
(function () {
  "use strict";
  const TIMEOUT_MS = 15000;
  const panel = document.getElementById("transfer-status");
  const status = document.querySelector("[data-live-status]");

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.className = "live " + state;
  }

  function follow() {
    if (!panel || panel.dataset.final === "true" || !window.EventSource) return;
    const source = new EventSource(panel.dataset.events);
    source.addEventListener("open", () => setStatus("live", "on"));
    source.addEventListener("error", () => {
      // CLOSED: the server refused the stream (signed out, say); the browser will not try again.
      if (source.readyState === EventSource.CLOSED) setStatus("stopped: reload the page", "down");
      else setStatus("reconnecting…", "down");
    });
    window.inziraOnStreamClosed(source, setStatus);
    source.addEventListener("status", (event) => {
      const data = JSON.parse(event.data);
      const fresh = document.createElement("template");
      fresh.innerHTML = data.html; // rendered (and escaped) by the server's templates
      panel.replaceChildren(fresh.content);
      panel.dataset.final = String(data.final);
      if (data.final) {
        source.close();
        setStatus("final", "");
      }
    });
    // Leaving the page ends the stream at once, so the server drops its subscription.
    window.addEventListener("pagehide", () => source.close());
  }

  function line(text, className) {
    const p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    return p;
  }

  async function post(path, receipt) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(receipt),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return response.json();
  }

  async function verify(button) {
    const box = button.closest("[data-receipt]").querySelector(".verify-result");
    box.replaceChildren(line("Verifying…"));
    try {
      const response = await fetch(button.dataset.receiptUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) throw new Error("the receipt is not available (" + response.status + ")");
      const receipt = await response.json();
      const entries = receipt.ledger_receipts || [];
      if (!entries.length) throw new Error("the receipt holds no ledger receipt");
      const outcomes = [];
      for (const entry of entries) outcomes.push([entry.role, await post(button.dataset.verifyPath, entry.receipt)]);
      const valid = outcomes.every(([, outcome]) => outcome.valid);
      const list = document.createElement("ul");
      list.className = "verify-list";
      for (const [role, outcome] of outcomes) {
        const item = document.createElement("li");
        item.textContent = role + ": " + (outcome.valid ? outcome.text : "not valid: " + (outcome.reason || outcome.detail));
        list.append(item);
      }
      box.replaceChildren(line(valid ? "✓ valid" : "✗ not valid", "verdict " + (valid ? "verdict-valid" : "verdict-invalid")), list);
    } catch (error) {
      box.replaceChildren(line("✗ not valid", "verdict verdict-invalid"), line("could not verify: " + error.message));
    }
  }

  // The receipt arrives inside the live panel, so the button is found when clicked, not when loaded.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-verify-receipt]");
    if (!button) return;
    event.preventDefault(); // verified in place; without the script the form posts to the server instead
    verify(button);
  });
  follow();
})();
