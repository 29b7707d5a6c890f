/* Fluxo lead list: "select this page" ticks every row of the bulk form (rows are swapped in by HTMX, so the
 * listener is delegated). The bulk "Change stage" asks for the reason when the chosen stage needs one
 * (LEADS_STAGES_REQUIRING_REASON, e.g. "Perdido"): the reason field says it is required, and the action is not sent
 * (nor confirmed) without it — only that action: the other buttons of the form do not need a reason. The server
 * enforces the same rule. No inline scripts (CSP). */
(function () {
  "use strict";

  function reasonRequired(form) {
    var select = form.querySelector("select[name=stage][data-testid=bulk-stage-select]");
    var option = select && select.options[select.selectedIndex];
    return !!(option && option.getAttribute("data-reason-required") === "1");
  }

  function reasonShow(form) {
    var input = form.querySelector("[data-bulk-reason]");
    if (!input) return;
    if (!input.hasAttribute("data-placeholder-optional")) {
      input.setAttribute("data-placeholder-optional", input.getAttribute("placeholder") || "");
    }
    var required = reasonRequired(form);
    input.setAttribute(
      "placeholder",
      input.getAttribute(required ? "data-placeholder-required" : "data-placeholder-optional")
    );
    input.setAttribute("aria-required", required ? "true" : "false");
    input.setCustomValidity("");
    if (required && !input.value.trim()) input.focus();
  }

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var form = all.closest("form");
      if (!form) return;
      form.querySelectorAll("input.row-select").forEach(function (box) {
        box.checked = all.checked;
      });
      return;
    }
    var stage = event.target.closest("select[data-testid=bulk-stage-select]");
    if (stage && stage.form) reasonShow(stage.form);
  });

  // Another action of the same form (tag, assign, export) needs no reason: a refusal shown before is cleared.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[type=submit]");
    if (!button || !button.form || button.getAttribute("data-testid") === "bulk-stage") return;
    var input = button.form.querySelector("[data-bulk-reason]");
    if (input) input.setCustomValidity("");
  }, true);

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-bulk-reason]")) event.target.setCustomValidity("");
  });

  // On window, capturing: before the confirmation (confirm.js) asks anything.
  window.addEventListener("submit", function (event) {
    var submitter = event.submitter || null;
    if (!submitter || submitter.getAttribute("data-testid") !== "bulk-stage") return;
    var form = event.target;
    var input = form.querySelector("[data-bulk-reason]");
    if (!input || !reasonRequired(form) || input.value.trim()) return;
    event.preventDefault();
    event.stopPropagation();
    input.setCustomValidity(input.getAttribute("data-required-message") || "");
    input.reportValidity();
    input.focus();
  }, true);
})();
