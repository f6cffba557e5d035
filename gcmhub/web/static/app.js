// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (form) {
    // Changing how results match or are sorted re-runs the search at once.
    ["mode", "sort"].forEach(function (id) {
      var select = document.getElementById(id);
      if (select) {
        select.addEventListener("change", function () { form.submit(); });
      }
    });
  }
  // "/" puts the cursor in the search box, as on most search sites.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("q");
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target || {}).tagName || "");
    if (event.key === "/" && box && !typing) {
      event.preventDefault();
      box.focus();
    }
  });
})();
