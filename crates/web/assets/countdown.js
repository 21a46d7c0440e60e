/* The WhatsApp composer's window countdown: the minutes left tick down while the page is
   open, and when the window closes the page is loaded again, in template mode. */
(function () {
  "use strict";
  var window_ = document.querySelector(".wa-window[data-closes-at]");
  if (!window_) return;
  var closes = Date.parse(window_.getAttribute("data-closes-at"));
  var shown = window_.querySelector(".wa-remaining");
  if (isNaN(closes) || !shown) return;
  var before = shown.textContent.indexOf("quedan") === 0 ? "quedan " : "";
  var after = before ? "" : " left";
  function span(minutes) {
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d > 0) return d + " d " + h + " h";
    if (h > 0) return h + " h " + m + " min";
    return m + " min";
  }
  function tick() {
    var left = closes - Date.now();
    if (left <= 0) { window.location.reload(); return; }
    shown.textContent = before + span(Math.floor(left / 60000)) + after;
    setTimeout(tick, Math.min(30000, left + 500));
  }
  tick();
})();
