/* Fluxo: CSP-safe confirmations (no inline scripts).
 * <form data-confirm="Texto da pergunta"> asks before submitting; so does a <button data-confirm="..."> inside any
 * form (only that button). HTMX elements use hx-confirm, which htmx handles itself. The question is shown in a
 * <dialog> (keyboard accessible: Esc cancels, focus starts on "Cancelar"); without <dialog>, window.confirm. */
(function () {
  "use strict";
  var pending = null;

  function ask(message, onYes) {
    var dialog = document.getElementById("fluxo-confirm");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(message)) onYes();
      return;
    }
    dialog.querySelector("[data-confirm-text]").textContent = message;
    pending = onYes;
    dialog.showModal();
    var cancel = dialog.querySelector("[data-confirm-no]");
    if (cancel) cancel.focus();
  }

  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("fluxo-confirm");
    if (!dialog) return;
    if (event.target.closest("[data-confirm-yes]")) {
      dialog.close();
      var go = pending;
      pending = null;
      if (go) go();
    } else if (event.target.closest("[data-confirm-no]")) {
      pending = null;
      dialog.close();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!message || form.dataset.confirmed === "1") return;
    event.preventDefault();
    ask(message, function () {
      form.dataset.confirmed = "1";
      if (submitter && typeof form.requestSubmit === "function") {
        // The button itself submits: its formaction, name and value are kept (several actions share one form).
        form.requestSubmit(submitter);
        delete form.dataset.confirmed;
        return;
      }
      if (submitter && submitter.name) {
        var carry = document.createElement("input");
        carry.type = "hidden";
        carry.name = submitter.name;
        carry.value = submitter.value;
        form.appendChild(carry);
      }
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
      delete form.dataset.confirmed;
    });
  }, true);
})();
