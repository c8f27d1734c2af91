// The POS screen: the bill's panel follows the bill live (server-sent events from this site, sent with the
// session cookie) and turns to PAID without a reload. The server renders each panel; this only swaps it in.
(function () {
  "use strict";
  const panel = document.getElementById("bill-status");
  const status = document.querySelector("[data-live-status]");

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.className = "live " + state;
  }

  if (!panel || panel.dataset.final === "true" || !window.EventSource) {
    if (panel && panel.dataset.final !== "true") setStatus("not live: reload to see a payment", "down");
    return;
  }
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
    panel.dataset.status = data.status;
    if (data.final) {
      panel.dataset.final = "true";
      source.close();
      setStatus(data.status, "");
    }
  });
  // Leaving the page ends the stream at once, so the server drops its relay.
  window.addEventListener("pagehide", () => source.close());
})();
