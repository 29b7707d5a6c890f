/* Fluxo lead list: "select this page" ticks every row of the bulk form (rows are swapped in by HTMX, so the
 * listener is delegated). No inline scripts (CSP). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    var form = all.closest("form");
    if (!form) return;
    form.querySelectorAll("input.row-select").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
