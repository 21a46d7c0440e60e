/* Soporte console keyboard shortcuts. Served in the same file as htmx (one script per
   page). The list shown to people is the dialog #shortcuts in the page itself. */
(function () {
  "use strict";
  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#tickets tbody tr"));
  }
  function move(step) {
    var list = rows();
    if (list.length === 0) return;
    var current = list.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = current < 0 ? 0 : Math.min(list.length - 1, Math.max(0, current + step));
    list.forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    var row = list[next];
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.ticket-link");
    if (link) link.focus();
  }
  function focus(selector) {
    var el = document.querySelector(selector);
    if (!el) return false;
    el.scrollIntoView({ block: "center" });
    el.focus();
    return true;
  }
  function toggleHelp() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") { window.location.href = "/inbox"; event.preventDefault(); }
      return;
    }
    var handled = true;
    switch (key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": handled = focus("#reply-body"); break;
      case "n": handled = focus("#note-body"); break;
      case "l": handled = focus("#call select[name=direction]"); break;
      case "/": handled = focus("#search-q"); break;
      case "g": pendingG = true; break;
      case "?": toggleHelp(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });
  // The administration menu closes like any menu: a click elsewhere or Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.admin-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.admin-menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
})();
