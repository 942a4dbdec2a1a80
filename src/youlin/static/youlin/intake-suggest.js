/* Smart intake on an intake form: a tap on a suggested category selects it in the category list, and the list's
   search box also matches each option's data-search (synonyms, everyday words, pinyin and initials). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".intake-suggestion");
    if (!button) { return; }
    var select = document.getElementById(button.dataset.target || "id_category");
    if (!select || !button.dataset.categoryId) { return; }
    select.value = button.dataset.categoryId;
    var option = select.options[select.selectedIndex];
    if (option) { option.hidden = false; option.scrollIntoView({ block: "nearest" }); }
    select.dispatchEvent(new Event("change", { bubbles: true }));
    Array.prototype.forEach.call(document.querySelectorAll(".intake-suggestion"), function (b) {
      b.classList.toggle("active", b === button);
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  });
  var search = document.querySelector("[data-intake-search]");
  if (!search) { return; }
  var select = document.getElementById(search.dataset.intakeSearch);
  if (!select) { return; }
  // The words each option is found by come from the intake app once (data-intake-terms: its URL).
  if (search.dataset.intakeTerms && window.fetch) {
    fetch(search.dataset.intakeTerms, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (terms) {
        Array.prototype.forEach.call(select.options, function (o) {
          if (!o.dataset.search && terms[o.value]) { o.dataset.search = terms[o.value]; }
        });
        search.dataset.ready = "1";
        if (search.value) { search.dispatchEvent(new Event("input")); }
      });
  }
  search.addEventListener("input", function () {
    var term = search.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (o) {
      var haystack = (o.text + " " + (o.dataset.search || "")).toLowerCase();
      o.hidden = Boolean(term) && haystack.indexOf(term) < 0;
    });
  }, true);
})();
