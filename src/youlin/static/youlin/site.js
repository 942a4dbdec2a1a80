/* Small behaviours every page may use, declared in the markup (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-youlin-print]")) { window.print(); }
  });
})();
