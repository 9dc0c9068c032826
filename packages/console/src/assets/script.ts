/**
 * The console's only script: progressive enhancement, never required. Without it every page works and
 * the timeline has a Refresh link; with it the timeline follows a running remediation and deadlines
 * count down. Served as a file (not inline) so the Content-Security-Policy can forbid inline script.
 */
export const CONSOLE_JS = `"use strict";
(function () {
  // Live timeline: poll the fragment with If-None-Match; a 304 means nothing changed.
  function follow(region) {
    var stopped = false;
    function tick() {
      if (stopped || region.getAttribute("data-final") === "true") return;
      var url = region.getAttribute("data-live-url");
      fetch(url, { headers: { "If-None-Match": region.getAttribute("data-etag") || "" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 200) return response.text();
          if (response.status !== 304) stopped = response.status === 401 || response.status === 404;
          return null;
        })
        .then(function (markup) {
          if (markup) {
            var next = new DOMParser().parseFromString(markup, "text/html").getElementById("live");
            if (next) {
              region.replaceWith(next);
              region = next;
            }
          }
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { setTimeout(tick, 1000); });
    }
    setTimeout(tick, 1000);
  }

  // Deadlines in the queue count down between page loads.
  function countdown() {
    var now = Date.now();
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - now;
      if (!(ms > 0)) { el.textContent = "expired"; return; }
      var m = Math.floor(ms / 60000), s = Math.floor((ms % 60000) / 1000);
      el.textContent = (m ? m + " min " : "") + s + " s left";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("live");
    if (region) follow(region);
    if (document.querySelector("time[data-deadline]")) setInterval(countdown, 1000);
    // After a refused form, take keyboard and screen-reader users straight to what needs fixing.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
`;
