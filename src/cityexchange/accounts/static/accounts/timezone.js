/* Suggest the device's time zone in a time-zone <select> that asks for it
   (data-suggest="1", a form not yet sent). Without this script the server's
   default stays selected and every zone can still be chosen. */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var selects = document.querySelectorAll('select.timezone-select[data-suggest="1"]');
  Array.prototype.forEach.call(selects, function (select) {
    var found = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (!found) {
      var group = document.createElement("optgroup");
      group.label = select.getAttribute("data-device-label") || zone;
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.split("/").pop().replace(/_/g, " ");
      group.appendChild(option);
      select.insertBefore(group, select.firstChild);
    }
    select.value = zone;
  });
})();
