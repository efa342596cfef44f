// cablemirror: the only script.  Everything works without it.
(function () {
  "use strict";

  // Escape hides a glossary tooltip (it shows while a term has the keyboard focus)
  // without moving the focus: tooltips should be dismissible where they appear.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var el = document.activeElement;
    if (el && el.tagName === "ABBR") {
      el.classList.add("tip-hidden");
      el.addEventListener("blur", function () { el.classList.remove("tip-hidden"); }, { once: true });
    }
  });

  // A link to a part of the routing header (#h-part-dtg) opens the folded header.
  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var details = target && target.closest("details");
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
