// Renders GET /api/openapi.json (generated from the functions' code) with the vendored Swagger UI.
// A separate file, not an inline script: the site's CSP admits scripts from 'self' only.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#referencia',
  deepLinking: true,
  // The API prefers a token from POST /api/auth/token; "Authorize" keeps it for "Try it out".
  persistAuthorization: false,
  validatorUrl: null,
});
