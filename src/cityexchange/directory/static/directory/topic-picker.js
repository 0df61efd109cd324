// Topic picker: a filter box and a live summary for grouped topic checkboxes.
// Without this script the picker is a complete form (see directory/widgets.py).
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function setUp(picker) {
    var filterWrap = picker.querySelector("[data-filter-wrap]");
    var filter = picker.querySelector("[data-filter]");
    var summary = picker.querySelector("[data-summary]");
    var noMatch = picker.querySelector("[data-no-match]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-group]"));
    function chosen() {
      return Array.prototype.slice
        .call(picker.querySelectorAll("input[type=checkbox]:checked"))
        .map(function (box) { return box.parentNode.textContent.trim(); });
    }
    function updateSummary() {
      var names = chosen();
      summary.textContent = names.length
        ? picker.dataset.chosenLabel + " " + names.join(", ")
        : picker.dataset.noneLabel;
    }
    function applyFilter() {
      var needle = fold(filter.value.trim());
      var any = false;
      groups.forEach(function (group) {
        var groupName = fold(group.querySelector("summary").textContent);
        var groupMatches = needle && groupName.indexOf(needle) !== -1;
        var visible = 0;
        group.querySelectorAll("[data-option]").forEach(function (item) {
          var show = !needle || groupMatches || fold(item.textContent).indexOf(needle) !== -1;
          item.hidden = !show;
          if (show) { visible += 1; }
        });
        group.hidden = visible === 0;
        if (needle && visible) { group.open = true; }
        if (visible) { any = true; }
      });
      noMatch.hidden = any;
    }
    filterWrap.hidden = false;
    filter.addEventListener("input", applyFilter);
    picker.addEventListener("change", updateSummary);
  }
  document.querySelectorAll("[data-topic-picker]").forEach(setUp);
})();
