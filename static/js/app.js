// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Add member": copy the formset's empty form. Without JS the blank rows rendered by
  // the server serve the same purpose.
  function setUpFormset(root) {
    var prefix = root.getAttribute("data-formset");
    var total = root.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var max = root.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var template = root.querySelector("template[data-empty-form]");
    var list = root.querySelector("[data-forms]");
    var button = root.querySelector("[data-add-form]");
    if (!total || !template || !list || !button) { return; }
    var limit = max ? parseInt(max.value, 10) : 1000;

    function update() { button.disabled = parseInt(total.value, 10) >= limit; }

    button.hidden = false;
    update();
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= limit) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = list.lastElementChild;
      var first = added && added.querySelector("input, select");
      if (first) { first.focus(); }
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), setUpFormset);

    // Open the reveal box and put the cursor in its reason field.
    Array.prototype.forEach.call(document.querySelectorAll("details.reveal"), function (details) {
      details.addEventListener("toggle", function () {
        var input = details.open && details.querySelector("input[name=reason]");
        if (input) { input.focus(); }
      });
    });
  });
})();
