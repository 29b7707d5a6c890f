/* Fluxo: the pipeline board. Cards are dragged between stage columns with SortableJS (vendored); a drop posts the
 * new stage through htmx and the server answers only what changed: the message, the card placed in the column it is
 * really in (back where it was after a refusal) and the two columns' counts, as out-of-band swaps. A stage that needs
 * a reason opens a <dialog> first; cancelling it puts the card back. Without a pointer, each card's "Mover para…"
 * opens one shared dialog (stage and reason) that does the same; without scripts it is a link to the lead's page.
 * "Ver mais" appends a column's next cards. No inline scripts (CSP). */
(function () {
  "use strict";
  var pending = null;   // a dropped card waiting for its reason: {card, stage, from, index}
  var moving = null;    // the card the move dialog is for
  var focusAfter = null;  // the lead whose card gets the focus back once the server placed it

  function putBack(card, from, index) {
    if (!card || !from) return;
    // A fresh copy where the card was: the dragged element itself may still carry the browser's and SortableJS's
    // drag state, and a second drag of it could then be ignored.
    var copy = card.cloneNode(true);
    card.remove();
    from.insertBefore(copy, from.children[index] || null);
  }

  function move(card, stage, reason) {
    var values = { stage: stage, reason: reason || "" };
    var filters = document.querySelector(".board-filters");
    if (filters) {
      new FormData(filters).forEach(function (value, key) { values[key] = value; });
    }
    focusAfter = card.getAttribute("data-lead");
    htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: card, target: "#board-status", swap: "innerHTML", values: values
    });
  }

  function askReason(card, column, from, index) {
    var dialog = document.getElementById("board-reason");
    if (!dialog || typeof dialog.showModal !== "function") {
      var answer = window.prompt(column.getAttribute("data-stage-label"));
      if (answer && answer.trim()) move(card, column.getAttribute("data-stage"), answer.trim());
      else putBack(card, from, index);
      return;
    }
    pending = { card: card, stage: column.getAttribute("data-stage"), from: from, index: index };
    dialog.querySelector("[data-board-reason-text]").textContent = column.getAttribute("data-stage-label");
    var input = dialog.querySelector("textarea");
    input.value = "";
    dialog.showModal();
    input.focus();
  }

  function onEnd(event) {
    if (event.from === event.to) return;
    var card = event.item, column = event.to, from = event.from, index = event.oldIndex;
    // After SortableJS has finished with the drop (a modal opened inside its drop handler can leave the browser's
    // drag session half-closed, and the next drag is then ignored).
    window.setTimeout(function () {
      if (column.getAttribute("data-reason-required") === "1") askReason(card, column, from, index);
      else move(card, column.getAttribute("data-stage"), "");
    }, 0);
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

  function reasonRequired(stage) {
    var column = document.querySelector("[data-board-column][data-stage='" + stage + "']");
    return column && column.getAttribute("data-reason-required") === "1";
  }

  function openMove(card) {
    var dialog = document.getElementById("board-move");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    var here = card.closest("[data-board-column]").getAttribute("data-stage");
    var select = dialog.querySelector("select[name=stage]");
    // The stage after the card's own is offered first (the usual move forward), the card's own is not offered.
    var first = null, next = null, passed = false;
    Array.prototype.forEach.call(select.options, function (option) {
      option.disabled = option.value === here;
      if (option.disabled) { passed = true; return; }
      if (first === null) first = option.value;
      if (passed && next === null) next = option.value;
    });
    select.value = next || first;
    dialog.querySelector("[data-board-move-name]").textContent = card.querySelector(".board-card-name").textContent;
    dialog.querySelector("input[name=reason]").value = "";
    dialog.querySelector("input[name=reason]").required = reasonRequired(select.value);
    moving = card;
    dialog.showModal();
    select.focus();
    return true;
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches("#board-move select[name=stage]")) return;
    document.querySelector("#board-move input[name=reason]").required = reasonRequired(event.target.value);
  });

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-board-move]");
    if (trigger && openMove(trigger.closest(".board-card"))) { event.preventDefault(); return; }
    if (event.target.closest("[data-board-reason-cancel]")) document.getElementById("board-reason").close();
    if (event.target.closest("[data-board-move-cancel]")) document.getElementById("board-move").close();
  });

  document.addEventListener("keydown", function (event) {  // role=button: Space acts as Enter does on the link
    if (event.key !== " " || !event.target.matches("[data-board-move]")) return;
    event.preventDefault();
    event.target.click();
  });

  document.addEventListener("submit", function (event) {
    var dialog, reason;
    if (event.target.matches("[data-board-reason-form]")) {
      event.preventDefault();
      dialog = document.getElementById("board-reason");
      reason = dialog.querySelector("textarea").value.trim();
      if (!reason) return;
      var go = pending;
      pending = null;
      dialog.close();
      if (go) move(go.card, go.stage, reason);
    } else if (event.target.matches("[data-board-move-form]")) {
      event.preventDefault();
      dialog = document.getElementById("board-move");
      var stage = dialog.querySelector("select[name=stage]").value;
      reason = dialog.querySelector("input[name=reason]").value.trim();
      if (reasonRequired(stage) && !reason) return;
      var card = moving;
      moving = null;
      dialog.close();
      if (card) move(card, stage, reason);
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "board-reason" && pending) {  // cancelled or Esc: the card goes back where it was
      putBack(pending.card, pending.from, pending.index);
      pending = null;
    }
    if (event.target.id === "board-move" && moving) {
      var link = moving.querySelector("[data-board-move]");
      moving = null;
      if (link) link.focus();
    }
  }, true);

  function dedupe(column) {  // a card moved into a column can come again with its next page: keep the first
    var seen = {};
    column.querySelectorAll(".board-card").forEach(function (card) {
      if (seen[card.id]) card.remove();
      seen[card.id] = true;
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    init(document);
    var target = event.detail && event.detail.target;
    if (target && target.matches && target.matches("[data-board-column]")) dedupe(target);
    if (focusAfter && target && target.id === "board-status") {
      var moved = document.querySelector("#card-" + focusAfter + " .board-card-name");
      focusAfter = null;
      if (moved) moved.focus();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {  // "ver mais" on a stale page, a bad filter
    var status = document.getElementById("board-status");
    var xhr = event.detail.xhr;
    if (!status || !xhr || (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") !== 0) return;
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = xhr.responseText;
    status.replaceChildren(p);
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
