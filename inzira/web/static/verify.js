// "Verify" buttons: post the receipt to the explorer's verify endpoint and show the outcome in place.
// Without JavaScript the same forms post to /verify and the server renders the outcome.
(function () {
  "use strict";
  const RECEIPT_BYTES_MAX = 256 * 1024;
  const TIMEOUT_MS = 15000;

  function show(box, outcome) {
    const verdict = document.createElement("p");
    verdict.className = "verdict " + (outcome.valid ? "verdict-valid" : "verdict-invalid");
    verdict.textContent = outcome.valid ? "✓ valid" : "✗ not valid";
    const detail = document.createElement("p");
    detail.textContent = outcome.valid ? outcome.text : outcome.reason || outcome.detail; // a 400 or 413 is a problem
    box.replaceChildren(verdict, detail);
  }

  async function receiptText(form) {
    const text = form.elements.receipt.value;
    if (text.trim()) return text;
    const file = form.elements.file && form.elements.file.files[0];
    if (!file) return "";
    if (file.size > RECEIPT_BYTES_MAX) throw new Error("the file is larger than 256 KiB");
    return file.text();
  }

  async function verify(form, box) {
    box.textContent = "Verifying…";
    try {
      const text = await receiptText(form);
      if (!text.trim()) {
        show(box, { valid: false, reason: "paste a receipt or choose a file" });
        return;
      }
      const response = await fetch(form.dataset.verify, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: text,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      show(box, await response.json());
    } catch (error) {
      show(box, { valid: false, reason: "could not verify: " + error.message });
    }
  }

  document.querySelectorAll("form.verify-form[data-verify]").forEach((form) => {
    const box = form.querySelector(".verify-result");
    const fileInput = form.elements.file;
    if (fileInput) {
      fileInput.addEventListener("change", async () => {
        const file = fileInput.files[0];
        if (file && file.size <= RECEIPT_BYTES_MAX) form.elements.receipt.value = await file.text();
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      verify(form, box);
    });
  });
})();
