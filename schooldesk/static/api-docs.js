/* The API documentation page (/api/v1/docs/): Swagger UI on the desk's own schema. Kept out of the page so that the
   Content-Security-Policy needs no inline script. "Try it out" sends the signed-in browser's session and CSRF token,
   or a token typed under Authorize. */
(function () {
  "use strict";
  function start() {
    var node = document.getElementById("swagger-ui");
    if (!node || !window.SwaggerUIBundle) { return; }
    var csrf = node.getAttribute("data-csrf-token");
    window.SwaggerUIBundle({
      url: node.getAttribute("data-schema-url"),
      domNode: node,
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
      plugins: [window.SwaggerUIBundle.plugins.DownloadUrl],
      layout: "BaseLayout",
      persistAuthorization: false,
      requestInterceptor: function (request) {
        if (csrf && !/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
          request.headers["X-CSRFToken"] = csrf;
        }
        return request;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
