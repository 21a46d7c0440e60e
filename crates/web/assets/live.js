/* A live inbox: when the server says tickets changed, the views and the list are fetched
   again and swapped in place, keeping the page, its scroll and its filters. */
(function () {
  "use strict";
  var inbox = document.getElementById("inbox");
  if (!inbox || !window.EventSource || !window.htmx) return;
  var source = new EventSource(inbox.getAttribute("data-live"));
  source.addEventListener("tickets", function () {
    var typing = document.activeElement && inbox.contains(document.activeElement) &&
      /^(input|select|textarea)$/i.test(document.activeElement.tagName);
    if (typing) return;
    htmx.ajax("GET", inbox.getAttribute("data-refresh"), { target: "#inbox", swap: "innerHTML" });
  });
})();
