/* Library facets: closed on narrow screens, where they sit above the results and
   would push them below the fold; open where they sit beside the results. Loaded
   right after the panel (not deferred) so a phone never shows them open first.
   Without JavaScript the panel stays open and every filter works. */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 51.99rem)");
  function apply() {
    var panels = document.querySelectorAll("details[data-facets]");
    for (var i = 0; i < panels.length; i += 1) {
      panels[i].open = !narrow.matches;
    }
  }
  apply();
  if (narrow.addEventListener) {
    narrow.addEventListener("change", apply);
  }
})();
