/* Fluxo: the pipeline board. Cards are dragged between stage columns with SortableJS (vendored); a drop posts the
 * new stage through htmx and the server answers the whole board (so a refused move puts the card back). A stage that
 * needs a reason opens a <dialog> first; cancelling it reloads the board as it was. Without a pointer, each card's
 * "Mover para…" form does the same (plain htmx form). No inline scripts (CSP). */
(function () {
  "use strict";
  var pending = null;

  function board() { return document.getElementById("board"); }

  function reload() {
    var el = board();
    if (!el) return;
    htmx.ajax("GET", el.getAttribute("data-board-url") + window.location.search, { target: "#board", swap: "outerHTML" });
  }

  function move(card, stage, reason) {
    var values = { stage: stage, reason: reason || "" };
    var filters = document.querySelector(".board-filters");
    if (filters) {
      new FormData(filters).forEach(function (value, key) { values[key] = value; });
    }
    htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: card, target: "#board", swap: "outerHTML", values: values
    });
  }

  function askReason(card, column) {
    var dialog = document.getElementById("board-reason");
    if (!dialog || typeof dialog.showModal !== "function") {
      var answer = window.prompt(column.getAttribute("data-stage-label"));
      if (answer && answer.trim()) move(card, column.getAttribute("data-stage"), answer.trim());
      else reload();
      return;
    }
    pending = { card: card, stage: column.getAttribute("data-stage") };
    dialog.querySelector("[data-board-reason-text]").textContent = column.getAttribute("data-stage-label");
    var input = dialog.querySelector("textarea");
    input.value = "";
    dialog.showModal();
    input.focus();
  }

  function onEnd(event) {
    if (event.from === event.to) return;
    var card = event.item, column = event.to;
    if (column.getAttribute("data-reason-required") === "1") askReason(card, column);
    else move(card, column.getAttribute("data-stage"), "");
  }

  function init(root) {
    if (typeof Sortable === "undefined") return;
    (root || document).querySelectorAll("[data-board-column]").forEach(function (column) {
      if (column.dataset.sortable === "1") return;
      column.dataset.sortable = "1";
      Sortable.create(column, {
        group: "board", animation: 150, draggable: ".board-card", filter: "details, select, input, button, a",
        preventOnFilter: false, onEnd: onEnd
      });
    });
  }

  document.addEventListener("submit", function (event) {
    if (!event.target.matches("[data-board-reason-form]")) return;
    event.preventDefault();
    var dialog = document.getElementById("board-reason");
    var reason = dialog.querySelector("textarea").value.trim();
    if (!reason) return;
    dialog.close();
    var go = pending;
    pending = null;
    if (go) move(go.card, go.stage, reason);
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-board-reason-cancel]")) return;
    var dialog = document.getElementById("board-reason");
    dialog.close();
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "board-reason" && pending) { pending = null; reload(); }  // cancelled or Esc
  }, true);

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
})();
