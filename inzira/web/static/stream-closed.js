// The server ends a page's event stream with a last "closed" frame when what let it in no longer holds (signed
// out, say): a reconnection would be refused, so the page stops its EventSource and says why.
window.inziraOnStreamClosed = function (source, setStatus) {
  "use strict";
  source.addEventListener("closed", (event) => {
    source.close();
    let detail = "";
    try {
      detail = String(JSON.parse(event.data).detail || "");
    } catch (error) {
      // not JSON: say only that the updates stopped
    }
    setStatus("Live updates stopped" + (detail ? ": " + detail : "") + ".", "down");
  });
};
