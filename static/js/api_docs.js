// Admin > API keys > the integration API's documentation: Swagger UI (ninja's static copy) on the
// OpenAPI document named by #swagger-ui's data-openapi-url. "Try it out" sends the key you enter under
// Authorize as a Bearer header; the console's cookies are not sent to the API as credentials.
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  root.textContent = "";
  SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
