// cablemirror: the only script.  Everything works without it.
// Escape hides a glossary tooltip (it shows while a term has the keyboard focus)
// without moving the focus: tooltips should be dismissible where they appear.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var el = document.activeElement;
    if (el && el.tagName === "ABBR") {
      el.classList.add("tip-hidden");
      el.addEventListener("blur", function () { el.classList.remove("tip-hidden"); }, { once: true });
    }
  });
})();
