/* Fluxo: a form answered with a validation error (400, 409, 422 with an HTML fragment) shows that fragment — htmx 2
 * swaps only 2xx by default, so the person would otherwise see nothing happen. Plain-text errors (the board's) are
 * left to their own handlers. */
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || [400, 409, 422].indexOf(xhr.status) === -1) return;
    if ((xhr.getResponseHeader("Content-Type") || "").indexOf("text/html") !== 0) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });
})();
