/* Incoming-call cards: the server sends a card's HTML when one of this agent's calls rings,
   is answered or ends; the card with the same id is replaced, or the new one put first. */
(function () {
  "use strict";
  var box = document.getElementById("calls");
  if (!box || !window.EventSource) return;
  var hidden = {};
  var source = new EventSource(box.getAttribute("data-live"));
  source.addEventListener("call", function (e) {
    var holder = document.createElement("template");
    holder.innerHTML = e.data;
    var card = holder.content.firstElementChild;
    if (!card || hidden[card.id]) return;
    var old = document.getElementById(card.id);
    if (old) old.replaceWith(card); else box.prepend(card);
  });
  source.addEventListener("call-gone", function (e) {
    var old = document.getElementById("call-" + e.data);
    if (old) old.remove();
  });
  box.addEventListener("click", function (e) {
    var id = e.target && e.target.getAttribute && e.target.getAttribute("data-dismiss-call");
    if (!id) return;
    hidden["call-" + id] = true;
    var card = document.getElementById("call-" + id);
    if (card) card.remove();
  });
})();
