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

  // An amount field with the rules in force (data-min / data-max, written under it as
  // words): say as the person types that the amount is outside them. The server still
  // refuses it; this only spares a round trip.
  function setUpLimits(input) {
    var min = input.getAttribute("data-min"), max = input.getAttribute("data-max");
    var warning = document.createElement("p");
    warning.className = "help limit-warning";
    warning.setAttribute("role", "status");
    warning.hidden = true;
    input.insertAdjacentElement("afterend", warning);
    input.addEventListener("input", function () {
      var value = parseFloat(input.value.replace(/[,，\s]/g, "").replace(/[０-９]/g, function (d) {
        return String.fromCharCode(d.charCodeAt(0) - 0xFEE0);
      }));
      var text = "";
      if (!isNaN(value) && max !== null && value > parseFloat(max)) {
        text = (input.getAttribute("data-over") || "Above the limit: ") + max;
      } else if (!isNaN(value) && min !== null && value < parseFloat(min)) {
        text = (input.getAttribute("data-under") || "Below the minimum: ") + min;
      }
      warning.textContent = text;
      warning.hidden = !text;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), setUpFormset);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-min], input[data-max]"), setUpLimits);

    // Open the reveal box and put the cursor in its reason field.
    Array.prototype.forEach.call(document.querySelectorAll("details.reveal"), function (details) {
      details.addEventListener("toggle", function () {
        var input = details.open && details.querySelector("input[name=reason]");
        if (input) { input.focus(); }
      });
    });
  });
})();
