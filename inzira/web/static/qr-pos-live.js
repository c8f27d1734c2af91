// The POS home's live feed: each payment to the merchant joins today's list as it completes (server-sent
// events from this site, sent with the session cookie). The server renders each row; this only adds the rows
// the table does not have yet.
(function () {
  "use strict";
  const feed = document.getElementById("pos-payments");
  const status = document.querySelector("[data-pos-live-status]");
  if (!feed || !window.EventSource) return;
  const body = feed.querySelector("tbody");

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.className = "live " + state;
  }

  const source = new EventSource(feed.dataset.events);
  source.addEventListener("ready", () => setStatus("live", "on"));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) setStatus("stopped: reload the page", "down");
    else setStatus("reconnecting…", "down");
  });
  window.inziraOnStreamClosed(source, setStatus);
  source.addEventListener("payment", (event) => {
    const data = JSON.parse(event.data);
    if (body.querySelector(`tr[data-payment="${CSS.escape(data.payment_id)}"]`)) return;
    const fresh = document.createElement("template");
    fresh.innerHTML = data.html.trim(); // rendered (and escaped) by the server's templates
    const empty = body.querySelector("tr.empty");
    if (empty) empty.remove();
    body.append(fresh.content);
  });
  source.addEventListener("totals", (event) => {
    const shown = document.querySelector("[data-today-totals]");
    const fresh = document.createElement("template");
    fresh.innerHTML = JSON.parse(event.data).html.trim(); // rendered (and escaped) by the server's templates
    if (shown && fresh.content.firstElementChild) shown.replaceWith(fresh.content.firstElementChild);
  });
  window.addEventListener("pagehide", () => source.close());
})();
