// Consent form enhancement. The forms work without it; this only keeps a
// category's switch and its vendors' switches in step while the visitor
// clicks. Ticking a category ticks its vendors; unticking it unticks them;
// ticking or unticking a vendor updates its category (half-ticked when only
// some vendors are on). It also keeps the confirmation of a choice to the
// one page it was meant for (see below).
(function () {
  "use strict";
  function sync(fieldset) {
    var cat = fieldset.querySelector('input[name="category"]');
    var vendors = fieldset.querySelectorAll('input[name="vendor"]');
    if (!cat || vendors.length === 0) return;
    var on = 0;
    vendors.forEach(function (v) { if (v.checked) on++; });
    cat.checked = on > 0;
    cat.indeterminate = on > 0 && on < vendors.length;
  }
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!(input instanceof HTMLInputElement)) return;
    var fieldset = input.closest("fieldset.consent-category");
    if (!fieldset) return;
    if (input.name === "category") {
      fieldset.querySelectorAll('input[name="vendor"]').forEach(function (v) {
        v.checked = input.checked;
      });
      input.indeterminate = false;
    } else if (input.name === "vendor") {
      sync(fieldset);
    }
  });
  // A whole granted category arrives as its own switch with its vendors'
  // switches off (the form's meaning without JavaScript); show its vendors on.
  document.addEventListener("DOMContentLoaded", function () {
    // After a choice the server sends the visitor back to #keuze-bewaard,
    // which shows the confirmation (CSS :target). Keep it shown, and take
    // the fragment out of the address so that a reload or a bookmark does
    // not confirm again.
    var saved = document.getElementById("keuze-bewaard");
    if (saved && location.hash === "#keuze-bewaard") {
      saved.classList.add("is-shown");
      history.replaceState(history.state, "", location.pathname + location.search);
    }
    document.querySelectorAll("fieldset.consent-category").forEach(function (fieldset) {
      var cat = fieldset.querySelector('input[name="category"]');
      var vendors = fieldset.querySelectorAll('input[name="vendor"]');
      var on = 0;
      vendors.forEach(function (v) { if (v.checked) on++; });
      if (cat && cat.checked && on === 0) {
        vendors.forEach(function (v) { v.checked = true; });
      }
      sync(fieldset);
    });
  });
})();
