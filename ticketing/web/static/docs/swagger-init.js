// Starts Swagger UI on /schema/swagger (ticketing/web/api_docs.py): a file of its own, as
// the pages' Content Security Policy runs no inline script.
"use strict";

(() => {
  const container = document.getElementById("swagger-container");
  window.ui = SwaggerUIBundle({
    url: container.dataset.url,
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
