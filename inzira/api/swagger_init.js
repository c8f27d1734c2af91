// Starts Swagger UI on /docs (inzira/api/docs_pages.py). A file rather than the inline script FastAPI writes,
// so that the page's Content-Security-Policy allows scripts from this origin only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // Swagger UI would otherwise send the document to its vendor's online validator
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
