// Live latest blocks: new block headers from /explorer/events are prepended without a reload.
(function () {
  "use strict";
  const table = document.getElementById("latest-blocks");
  if (!table || !window.EventSource) return;
  const body = table.tBodies[0];
  const maxRows = Number(table.dataset.maxRows) || 20;
  const status = document.querySelector("[data-live-status]");

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.className = "live " + state;
  }

  function cell(row, className) {
    const td = row.insertCell();
    if (className) td.className = className;
    return td;
  }

  function timeCell(row, block) {
    const td = cell(row);
    const time = document.createElement("time");
    time.dateTime = new Date(block.timestamp_ms).toISOString();
    time.textContent = block.time_utc;
    const cat = document.createElement("span");
    cat.className = "cat";
    cat.textContent = block.time_kigali;
    td.append(time, " ", cat);
  }

  function addBlock(block) {
    if (body.querySelector('tr[data-height="' + Number(block.height) + '"]')) return;
    body.querySelectorAll("tr.empty").forEach((row) => row.remove());
    const row = document.createElement("tr");
    row.dataset.height = String(block.height);
    row.className = "fresh";
    const link = document.createElement("a");
    link.href = "/blocks/" + encodeURIComponent(block.height);
    link.textContent = String(block.height);
    cell(row, "num").append(link);
    timeCell(row, block);
    cell(row, "num").textContent = String(block.tx_count);
    const hash = document.createElement("code");
    hash.className = "hash";
    hash.title = block.hash;
    hash.textContent = block.hash.slice(0, 12) + "…";
    cell(row).append(hash);
    body.prepend(row);
    while (body.rows.length > maxRows) body.deleteRow(-1);
    document.querySelectorAll("[data-live-height]").forEach((el) => { el.textContent = String(block.height); });
  }

  const source = new EventSource(table.dataset.events + "?after=" + encodeURIComponent(table.dataset.after));
  source.addEventListener("open", () => setStatus("live", "on"));
  source.addEventListener("error", () => setStatus("reconnecting…", "down"));
  window.inziraOnStreamClosed(source, setStatus);
  source.addEventListener("block", (event) => addBlock(JSON.parse(event.data)));
  // Leaving the page ends the stream at once, so the server drops its subscription.
  window.addEventListener("pagehide", () => source.close());
})();
